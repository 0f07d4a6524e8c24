import SwiftUI
import TandemCore

/// The pairs' meetings as the core lists them: schedules, those coming up and
/// those of the last weeks at the person's own local time; a new weekly
/// schedule; the calendar file.
struct MeetingsScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var time = "19:00"
    @State private var place = ""
    @State private var kind = MeetingKind.video
    @State private var calendar: String?
    var body: some View {
        Form {
            if let screen = model.meetings {
                if screen.noPair {
                    Text("Meetings need a pair. Invite a mentor first.")
                } else {
                    if screen.plans.isEmpty { Text("No meetings planned yet.") }
                    ForEach(screen.plans, id: \.id) { plan in
                        HStack {
                            Text("\(plan.time) (\(plan.zone)), \(kindText(plan.kind))")
                            Spacer()
                            Button("End") { Task { await model.run { _ = try $0.endMeetingPlan(planId: plan.id) } } }
                        }
                    }
                    Section("A weekly meeting") {
                        TextField("Time (HH:MM) in \(screen.defaultZone)", text: $time)
                        TextField("Place (optional)", text: $place)
                        Picker("Kind", selection: $kind) {
                            ForEach(screen.kinds, id: \.self) { k in Text(kindText(k)).tag(k) }
                        }
                        Button("Schedule") {
                            // Today and its weekday in the agreed zone, the one the times are in.
                            let zone = TimeZone(identifier: screen.defaultZone) ?? .current
                            let today = Date.now.formatted(Date.ISO8601FormatStyle(timeZone: zone).year().month().day())
                            let weekday = weekdayName(Date.now, in: zone)
                            let t = time, z = screen.defaultZone, k = kind, p = place
                            Task {
                                await model.run {
                                    _ = try $0.scheduleMeeting(pairId: nil, recurrence: .weekly(days: [weekday], from: today), time: t, zone: z, kind: k, place: p)
                                }
                            }
                        }
                    }
                    MeetingList(title: "Coming up", meetings: screen.upcoming)
                    MeetingList(title: "Recent", meetings: screen.recent)
                    if !screen.plans.isEmpty {
                        Button("Add to my calendar") {
                            Task { calendar = await model.fetchCalendar() }
                        }
                        .fileExporter(
                            isPresented: Binding(get: { calendar != nil }, set: { if !$0 { calendar = nil } }),
                            document: TextFile(text: calendar ?? ""),
                            contentType: .calendarEvent,
                            defaultFilename: "tandem-meetings.ics"
                        ) { _ in calendar = nil }
                    }
                }
            }
        }
        .navigationTitle("Meetings")
        .task { await model.show(.meetings) }
    }
}

private struct MeetingList: View {
    let title: LocalizedStringKey
    let meetings: [MeetingView]
    var body: some View {
        if !meetings.isEmpty {
            Section(title) {
                ForEach(meetings, id: \.id) { m in
                    NavigationLink { MeetingScreen(id: m.id) } label: { MeetingRow(meeting: m) }
                }
            }
        }
    }
}

private struct MeetingRow: View {
    let meeting: MeetingView
    var body: some View {
        VStack(alignment: .leading) {
            Text(meeting.localTime.replacingOccurrences(of: "T", with: " ")).font(.headline)
            Text(kindText(meeting.kind) + (meeting.place.isEmpty ? "" : " · \(meeting.place)"))
            Text(statusText(meeting.status)).font(.footnote)
        }
        .accessibilityElement(children: .combine)
    }
}

/// One meeting: mark it held or missed, its shared note, and asking to meet at another time.
struct MeetingScreen: View {
    @EnvironmentObject var model: AppModel
    let id: String
    @State private var note = ""
    var body: some View {
        Form {
            if let screen = model.meeting, screen.meeting.id == id {
                let m = screen.meeting
                MeetingRow(meeting: m)
                if screen.conflict { Text("You two marked this meeting differently. Both marks are kept.").foregroundStyle(.red) }
                if screen.canMark {
                    Button("Held") { Task { await mark(.held) } }
                    Button("Missed") { Task { await mark(.missed) } }
                }
                Section("Note") {
                    TextField("Note", text: $note, axis: .vertical)
                    Button("Save") {
                        let text = note
                        Task {
                            await model.run { _ = try $0.setMeetingNote(id: id, text: text) }
                            await model.openMeeting(id)
                        }
                    }
                }
                if screen.canAskReschedule {
                    Button("Ask to meet at another time") {
                        Task {
                            await model.run { _ = try $0.askToReschedule(id: id, text: "") }
                            await model.openMeeting(id)
                        }
                    }
                }
                if m.rescheduleAsked { Text("Asked to meet at another time.") }
            }
        }
        .navigationTitle("Meeting")
        .task {
            await model.openMeeting(id)
            note = model.meeting?.meeting.note ?? ""
        }
    }

    private func mark(_ how: MarkAs) async {
        await model.run { _ = try $0.markMeeting(id: id, markAs: how, note: nil) }
        await model.openMeeting(id)
    }
}

func kindText(_ k: MeetingKind) -> String {
    switch k {
    case .call: return String(localized: "Call")
    case .video: return String(localized: "Video call")
    case .inPerson: return String(localized: "In person")
    }
}

func statusText(_ s: MeetingStatus) -> String {
    switch s {
    case .scheduled: return String(localized: "Scheduled")
    case .unmarked: return String(localized: "Not marked yet")
    case .held: return String(localized: "Held")
    case .missed: return String(localized: "Missed")
    case .moved: return String(localized: "Moved")
    case .conflict: return String(localized: "Marked differently")
    }
}

/// The weekday of `date` in `zone`, as the core names it
/// (weekdays cross the bindings as lower-case English names).
func weekdayName(_ date: Date, in zone: TimeZone) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    return ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"][calendar.component(.weekday, from: date) - 1]
}
