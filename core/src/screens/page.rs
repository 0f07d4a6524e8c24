//! Where the next page of a list starts.

use serde::{Deserialize, Serialize};

use crate::store::Page;

/// Where the next page of a list starts: the last row shown (its instant in
/// UTC ms and its id). Opaque to shells: they hand back what a page gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor {
    /// The last row's instant (UTC ms) the list is ordered by.
    pub ms: i64,
    /// The last row's id.
    pub id: String,
}

/// The store query for a page of `size` rows after `after`, asking one row
/// more: whether it comes tells if there is a next page.
pub(crate) fn query(size: u32, after: Option<&PageCursor>) -> Page {
    Page {
        limit: size + 1,
        before: after.map(|c| (c.ms, c.id.clone())),
    }
}

/// Trims `rows` (fetched with [`query`]) to `size`; returns the cursor of
/// the next page if there is one.
pub(crate) fn split<T>(
    rows: &mut Vec<T>,
    size: u32,
    key: impl Fn(&T) -> (i64, &str),
) -> Option<PageCursor> {
    if rows.len() <= size as usize {
        return None;
    }
    rows.truncate(size as usize);
    rows.last().map(|row| {
        let (ms, id) = key(row);
        PageCursor {
            ms,
            id: id.to_owned(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_has_a_next_only_when_a_row_is_left_over() {
        fn key(r: &(i64, String)) -> (i64, &str) {
            (r.0, &r.1)
        }
        let mut rows: Vec<(i64, String)> = (0..3).map(|i| (10 - i, format!("r{i}"))).collect();
        assert_eq!(split(&mut rows, 3, key), None);
        assert_eq!(rows.len(), 3);
        let next = split(&mut rows, 2, key).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            next,
            PageCursor {
                ms: 9,
                id: "r1".into()
            }
        );
        assert_eq!(query(2, Some(&next)).limit, 3);
        assert_eq!(query(2, Some(&next)).before, Some((9, "r1".into())));
    }
}
