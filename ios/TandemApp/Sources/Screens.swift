import CoreImage.CIFilterBuiltins
import SwiftUI
import TandemCore

/// Shown while the core is locked: the prompt opens at once, and again from the button.
struct LockScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        Button("Unlock Tandem") { Task { await model.unlock() } }
            .task { await model.unlock() }
    }
}

/// Today: clean time per track, the next milestone, today's check-in, how syncing goes.
struct TodayScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List {
            if let screen = model.today {
                let today = screen.today
                ForEach(today.tracks, id: \.id) { track in
                    VStack(alignment: .leading) {
                        Text(track.name).font(.headline)
                        Text("\(track.cleanDays) days").font(.largeTitle)
                        if let next = track.nextMilestone, let days = track.daysToNextMilestone {
                            Text("\(rungText(next.rung)) in \(days) days")
                        }
                    }
                    .accessibilityElement(children: .combine)
                }
                // The first of the two taps that log a craving.
                NavigationLink("Log a craving") { LogCravingScreen() }
                if today.checkin == nil {
                    NavigationLink("Check in") { CheckInScreen() }
                } else {
                    Text("Checked in today")
                }
                NavigationLink("Clean time") { TracksScreen() }
                NavigationLink("Insights") { InsightsScreen() }
                // Offered once there is a pair, as the core's record says.
                if screen.hasPair {
                    NavigationLink("Reach out") { ReachOutScreen() }
                    NavigationLink("Meetings") { MeetingsScreen() }
                    NavigationLink("Mentor overview") { MentorOverviewScreen() }
                }
                Text(syncSummaryText(screen.sync, zone: today.timezone)).font(.footnote)
            }
        }
        .navigationTitle(model.today?.today.name ?? "Today")
        .task { await model.show(.today) }
    }
}

/// Log a craving: the trigger and the strength are enough; Save is the second tap.
struct LogCravingScreen: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var trigger = ""
    @State private var intensity = 5.0
    @State private var situation = ""
    @State private var helped = ""
    @State private var outcome: Outcome?
    @State private var minutesAgo = 0
    @State private var share = false
    @State private var pairId: String?
    var body: some View {
        Form {
            TextField("What set it off?", text: $trigger)
            Slider(value: $intensity, in: 1...10, step: 1) { Text("How strong") }
            Text("How strong: \(Int(intensity)) of 10")
            TextField("Where, with whom (optional, separate with commas)", text: $situation)
            TextField("What helped? (comma separated)", text: $helped)
            Picker("Outcome", selection: $outcome) {
                Text("Not said").tag(Outcome?.none)
                Text("I did not use").tag(Outcome?.some(.resisted))
                Text("I used").tag(Outcome?.some(.used))
            }
            Stepper("Minutes ago: \(minutesAgo)", value: $minutesAgo, in: 0...1440, step: 5)
            let pairs = model.menteePairs
            if !pairs.isEmpty {
                Toggle("Share with my mentor", isOn: $share)
                if share && pairs.count > 1 {
                    Picker("With", selection: $pairId) {
                        ForEach(pairs, id: \.pairId) { p in Text(p.otherName ?? String(localized: "your mentor")).tag(Optional(p.pairId)) }
                    }
                }
            }
            Button("Save") {
                let at = minutesAgo == 0 ? nil : Int64(Date.now.timeIntervalSince1970 * 1000) - Int64(minutesAgo) * 60_000
                let input = CravingInput(
                    trigger: trigger, intensity: Int64(intensity),
                    // The core trims labels and drops empty ones.
                    situation: situation.components(separatedBy: ","), helped: helped.components(separatedBy: ","),
                    outcome: outcome, note: "", atMs: at)
                let shared = share, pair = pairId
                // Writing and sharing is one core call: never written but not shared.
                Task {
                    if await model.attempt({ t in
                        if shared { _ = try t.addCravingShared(input: input, pairId: pair) } else { _ = try t.addCraving(input: input) }
                    }) { dismiss() }
                }
            }
            .disabled(share && model.menteePairs.count > 1 && pairId == nil)
        }
        .navigationTitle("Log a craving")
    }
}

/// Today's check-in.
struct CheckInScreen: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var mood = 3.0
    @State private var craving = 0.0
    @State private var used = false
    @State private var note = ""
    var body: some View {
        Form {
            Slider(value: $mood, in: 1...5, step: 1) { Text("Mood") }
            Text("Mood: \(Int(mood))")
            Slider(value: $craving, in: 0...10, step: 1) { Text("Craving") }
            Text("Craving: \(Int(craving))")
            Toggle("I used today", isOn: $used)
            TextField("Note", text: $note)
            Button("Save") {
                let input = CheckInInput(mood: Int64(mood), craving: Int64(craving), used: used, note: note)
                Task { await model.run { try _ = $0.checkIn(input: input) }; dismiss() }
            }
        }
        .navigationTitle("Check in")
    }
}

/// Insights over the core's window: cravings by hour, drawn from the core's series, and what helped.
struct InsightsScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List {
            if let screen = model.insights {
                let i = screen.insights
                if screen.empty {
                    Text("Nothing to chart yet: log a craving or check in, and patterns show up here.")
                } else {
                    Section("Cravings by hour") {
                        Bars(values: i.byHour.map { Double($0) }, spacing: 2,
                             label: "Cravings by hour of the day, \(i.cravings) in all")
                    }
                    Section("Cravings by weekday") {
                        Bars(values: i.byWeekday.map { Double($0) }, spacing: 6,
                             label: "Cravings by weekday, Monday first")
                    }
                    Section("Strength by week") {
                        ForEach(i.weeklyIntensity, id: \.weekStart) { w in
                            Text("Week of \(w.weekStart): \(w.count) cravings, average \(w.average, specifier: "%.1f")")
                        }
                    }
                    Section("What helped") {
                        ForEach(i.whatHelped, id: \.strategy) { s in Text("\(s.strategy): resisted \(s.resisted) of \(s.uses)") }
                    }
                    Section("Top triggers") {
                        ForEach(i.topTriggers, id: \.trigger) { t in Text("\(t.trigger): \(t.count)") }
                    }
                }
                NavigationLink("Craving log") { CravingsScreen() }
            }
        }
        .navigationTitle(model.insights.map { "The last \($0.days) days" } ?? "Insights")
        .task { await model.show(.insights) }
    }
}

/// The craving log, a page at a time; each craving can be shared once the core says there is a pair.
struct CravingsScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List {
            NavigationLink("Log a craving") { LogCravingScreen() }
            if model.cravings.first?.empty == true { Text("No cravings logged yet.") }
            ForEach(model.cravings.indices, id: \.self) { p in
                let page = model.cravings[p]
                ForEach(page.rows, id: \.craving.id) { row in
                    VStack(alignment: .leading) {
                        Text("\(row.craving.trigger) · \(row.craving.intensity)/10")
                        if page.canShare {
                            ShareToggle(kind: .craving, id: row.craving.id, shared: row.shared)
                        }
                    }
                }
            }
            if model.cravings.last?.next != nil {
                Button("Show older") { Task { await model.moreCravings() } }
            }
        }
        .navigationTitle("Craving log")
        .task { await model.show(.cravings) }
    }
}

/// The journal, newest first, a page at a time, and a new entry (shared if the person
/// chooses, offered once the core says there is a pair).
struct JournalScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var text = ""
    @State private var share = false
    @State private var pairId: String?
    var body: some View {
        let canShare = model.journal.first?.canShare == true
        List {
            Section("Write") {
                TextEditor(text: $text)
                    .frame(minHeight: 100)
                    .accessibilityLabel("What is on your mind?")
                if canShare {
                    Toggle("Share with my mentor", isOn: $share)
                    if share && model.menteePairs.count > 1 {
                        Picker("With", selection: $pairId) {
                            ForEach(model.menteePairs, id: \.pairId) { p in Text(p.otherName ?? String(localized: "your mentor")).tag(Optional(p.pairId)) }
                        }
                    }
                }
                Button("Save") {
                    let input = JournalInput(text: text, mood: nil, tags: [])
                    let sharing = share && canShare, pair = pairId
                    Task {
                        let saved = await model.attempt { t in
                            // One step when shared: never written but left unshared.
                            if sharing {
                                _ = try t.addJournalShared(input: input, pairId: pair)
                            } else {
                                _ = try t.addJournal(input: input)
                            }
                        }
                        // A refused entry stays in the field.
                        if saved { text = "" }
                    }
                }
                .disabled(share && model.menteePairs.count > 1 && pairId == nil)
            }
            if model.journal.first?.empty == true { Text("No entries yet.") }
            ForEach(model.journal.indices, id: \.self) { p in
                let page = model.journal[p]
                ForEach(page.rows, id: \.entry.id) { row in
                    VStack(alignment: .leading) {
                        Text(row.entry.text).lineLimit(3)
                        if page.canShare {
                            ShareToggle(kind: .journal, id: row.entry.id, shared: row.shared)
                        }
                    }
                }
            }
            if model.journal.last?.next != nil {
                Button("Show older") { Task { await model.moreJournal() } }
            }
        }
        .navigationTitle("Journal")
        .task { await model.show(.journal) }
    }
}

/// Goals and milestones; a goal can be shared with the mentor once the core says there is a pair.
struct GoalsScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var title = ""
    var body: some View {
        List {
            HStack {
                TextField("New goal", text: $title)
                Button("Add") {
                    let input = GoalInput(title: title, why: "", target: nil)
                    Task { if await model.attempt({ try _ = $0.addGoal(input: input) }) { title = "" } }
                }
            }
            if let screen = model.goals {
                if screen.empty { Text("No goals yet.") }
                ForEach(screen.rows, id: \.goal.id) { row in
                    let goal = row.goal
                    Section(goal.title) {
                        ForEach(goal.milestones, id: \.id) { m in
                            Toggle(m.title, isOn: Binding(get: { m.done }, set: { done in
                                Task { await model.run { try _ = $0.setMilestoneDone(goalId: goal.id, milestoneId: m.id, done: done) } }
                            }))
                        }
                        if screen.canShare {
                            ShareToggle(kind: .goal, id: goal.id, shared: row.shared)
                        }
                    }
                }
            }
        }
        .navigationTitle("Goals")
        .task { await model.show(.goals) }
    }
}

/// Shared notes, merged character by character with the other person's edits.
struct NotesScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var title = ""
    @State private var text = ""
    @State private var pairId: String?
    var body: some View {
        List {
            Section("A new note") {
                TextField("Title", text: $title)
                TextField("Note", text: $text, axis: .vertical)
                Picker("With", selection: $pairId) {
                    Text("Only me").tag(String?.none)
                    ForEach((model.pairs?.pairs ?? []).filter { !$0.ended }, id: \.pairId) { p in
                        Text(p.otherName ?? String(localized: "your pair")).tag(Optional(p.pairId))
                    }
                }
                Button("Save") {
                    let t = title, b = text, pair = pairId
                    // Cleared once saved: a refused note stays to be fixed.
                    Task {
                        if await model.attempt({ _ = try $0.createNote(title: t, body: b, pairId: pair) }) {
                            title = ""
                            text = ""
                        }
                    }
                }
                .disabled(title.trimmingCharacters(in: .whitespaces).isEmpty)
            }
            if let screen = model.notes {
                if screen.empty { Text("No notes yet.") }
                ForEach(screen.notes, id: \.id) { note in
                    NavigationLink(note.title) { NoteEditor(note: note) }
                }
            }
        }
        .navigationTitle("Notes")
        .task {
            await model.show(.notes)
            await model.show(.pairs)
        }
    }
}

struct NoteEditor: View {
    @EnvironmentObject var model: AppModel
    let note: SharedNote
    @State private var body_ = ""
    var body: some View {
        TextEditor(text: $body_)
            .onAppear { body_ = note.body }
            .toolbar {
                Button("Save") {
                    let id = note.id, text = body_
                    Task { await model.run { try _ = $0.editNote(id: id, body: text) } }
                }
            }
    }
}

/// The mentor's overview: each mentee, what changed since the last look, open reach-outs.
struct MentorOverviewScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List {
            if let screen = model.overview {
                if screen.empty { Text("You are not mentoring anyone yet.") }
                if screen.openReachOuts > 0 { Text("\(screen.openReachOuts) reach-outs waiting for you").font(.headline) }
                ForEach(screen.mentees, id: \.pairId) { m in
                    Section(m.name ?? "…") {
                        Text("New: \(m.changes.newShared) shared, \(m.changes.milestonesDone) milestones, \(m.changes.newReachOuts) reach-outs")
                        ForEach(m.goals, id: \.id) { g in Text("\(g.title): \(g.milestonesDone)/\(g.milestones.count)") }
                        ForEach(m.openReachOuts, id: \.id) { r in
                            Button("I reached out: \(r.text)") {
                                Task { await model.run { try $0.acknowledgeReachOut(id: r.id) } }
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("Mentor overview")
        .task { await model.show(.mentorOverview) }
    }
}

/// Whether an item is shared, as the core marks its row, and the copy
/// warning once shared. A person with several mentors picks whom to share
/// with; turning it off takes the item back from wherever it is shared.
struct ShareToggle: View {
    @EnvironmentObject var model: AppModel
    let kind: ShareKind
    let id: String
    let shared: Bool
    @State private var choosing = false
    var body: some View {
        let pairs = model.menteePairs
        Toggle("Share with my mentor", isOn: Binding(get: { shared }, set: { on in
            if !on { model.setShared(kind, id: id, false) } else if pairs.count > 1 { choosing = true } else { model.setShared(kind, id: id, true) }
        }))
        .confirmationDialog("Share with", isPresented: $choosing) {
            ForEach(pairs, id: \.pairId) { p in
                Button(p.otherName ?? String(localized: "your mentor")) { model.setShared(kind, id: id, true, pairId: p.pairId) }
            }
        }
        if shared { Text(sharedCopyWarning).font(.footnote) }
    }
}

/// Today's one line on syncing, worded from the core's summary.
func syncSummaryText(_ sync: SyncSummary, zone: String) -> String {
    if !sync.connected { return "This phone does not sync. Everything stays on it." }
    if sync.failing { return "Sync is not getting through; \(sync.pendingChanges) changes waiting" }
    if sync.pendingChanges > 0 { return "\(sync.pendingChanges) changes waiting to sync" }
    guard let ms = sync.lastSuccessMs else { return "Not synced yet" }
    let style = Date.FormatStyle(date: .abbreviated, time: .shortened, timeZone: TimeZone(identifier: zone) ?? .current)
    return "Synced " + Date(timeIntervalSince1970: Double(ms) / 1000).formatted(style)
}

/// The sentence a problem shows, by the core's error kind (its own message is for logs).
func problemText(_ e: TandemError) -> String {
    switch e {
    case .Validation: return String(localized: "Please check what you entered.")
    case .NotFound: return String(localized: "That item is gone.")
    case .NotInitialized: return String(localized: "Set up Tandem first.")
    case .AlreadyInitialized: return String(localized: "This phone is already set up.")
    case .Corrupt: return String(localized: "Some saved data could not be read. Nothing was deleted.")
    case .TooNew: return String(localized: "Update Tandem to open your data.")
    case .Storage: return String(localized: "The phone could not save. Try again.")
    case .WrongKey: return String(localized: "Tandem could not unlock its data.")
    case .Locked: return String(localized: "Tandem is locked.")
    case .Network: return String(localized: "You are offline. Everything is saved and will sync later.")
    case .Server: return String(localized: "The sync server had a problem. Tandem will try again.")
    case .NoServer: return String(localized: "This phone does not sync yet.")
    }
}

let sharedCopyWarning = "Shared with your mentor. Their phone may already hold a copy, and stopping sharing later does not remove it from there."

func rungText(_ rung: Rung) -> String {
    switch rung {
    case .days(let n): return "\(n) days"
    case .months(let n): return "\(n) months"
    case .years(let n): return n == 1 ? "1 year" : "\(n) years"
    }
}

func qrImage(_ text: String) -> UIImage? {
    let filter = CIFilter.qrCodeGenerator()
    filter.message = Data(text.utf8)
    guard let output = filter.outputImage,
          let cg = CIContext().createCGImage(output, from: output.extent) else { return nil }
    return UIImage(cgImage: cg)
}

/// Bars of `values`, scaled to the highest and 100 points tall, read by
/// VoiceOver as the one `label`.
private struct Bars: View {
    let values: [Double]
    let spacing: CGFloat
    let label: LocalizedStringKey

    var body: some View {
        let top = max(values.max() ?? 1, 1)
        HStack(alignment: .bottom, spacing: spacing) {
            ForEach(values.indices, id: \.self) { i in
                Rectangle().frame(height: 100 * CGFloat(values[i] / top))
            }
        }
        .frame(height: 100)
        .accessibilityElement()
        .accessibilityLabel(Text(label))
    }
}
