//! How calendar dates are stored in documents: ISO `YYYY-MM-DD` strings.

use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
use chrono::NaiveDate;

pub(crate) fn hydrate<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    prop: Prop<'_>,
) -> Result<NaiveDate, HydrateError> {
    let s = String::hydrate(doc, obj, prop)?;
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map_err(|_| HydrateError::unexpected("an ISO date", s))
}

pub(crate) fn reconcile<R: Reconciler>(date: &NaiveDate, mut r: R) -> Result<(), R::Error> {
    r.str(date.format("%Y-%m-%d").to_string())
}

/// The same for an optional date; `None` is stored as null.
pub(crate) mod option {
    use super::*;

    pub(crate) fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<NaiveDate>, HydrateError> {
        let s = Option::<String>::hydrate(doc, obj, prop)?;
        s.map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map_err(|_| HydrateError::unexpected("an ISO date", s))
        })
        .transpose()
    }

    pub(crate) fn reconcile<R: Reconciler>(
        date: &Option<NaiveDate>,
        mut r: R,
    ) -> Result<(), R::Error> {
        match date {
            Some(d) => r.str(d.format("%Y-%m-%d").to_string()),
            None => r.none(),
        }
    }
}
