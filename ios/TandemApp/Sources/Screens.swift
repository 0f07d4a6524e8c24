import CoreImage.CIFilterBuiltins
import SwiftUI
import TandemCore

/// Shown until LocalAuthentication passes.
struct LockScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        Button("Unlock") { Task { await model.unlock() } }
            .task { await model.unlock() }
    }
}

/// Today: clean time per track, the next milestone, today's check-in.
struct TodayScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List {
            if let today = model.today {
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
                NavigationLink("Insights") { InsightsScreen() }
                NavigationLink("Mentor overview") { MentorOverviewScreen() }
            }
        }
        .navigationTitle(model.today?.name ?? "Today")
    }
}

/// Log a craving: the trigger and the strength are enough; Save is the second tap.
struct LogCravingScreen: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var trigger = ""
    @State private var intensity = 5.0
    @State private var helped = ""
    @State private var resisted = true
    var body: some View {
        Form {
            TextField("What set it off?", text: $trigger)
            Slider(value: $intensity, in: 0...10, step: 1) { Text("How strong") }
            Text("How strong: \(Int(intensity)) of 10")
            TextField("What helped? (comma separated)", text: $helped)
            Toggle("I did not use", isOn: $resisted)
            Button("Save") {
                let input = CravingInput(
                    trigger: trigger, intensity: Int64(intensity),
                    // The core trims labels and drops empty ones.
                    situation: [], helped: helped.components(separatedBy: ","),
                    outcome: resisted ? .resisted : .used, note: "", atMs: nil)
                Task { await model.run { try _ = $0.addCraving(input: input) }; dismiss() }
            }
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
    }
}

/// Cravings by hour, drawn from the core's series, and what helped.
struct InsightsScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List {
            if let i = model.insights {
                Section("Cravings by hour") {
                    let peak = max(i.byHour.max() ?? 1, 1)
                    HStack(alignment: .bottom, spacing: 2) {
                        ForEach(0..<i.byHour.count, id: \.self) { hour in
                            Rectangle().frame(height: 100 * CGFloat(i.byHour[hour]) / CGFloat(peak))
                        }
                    }
                    .frame(height: 100)
                    .accessibilityLabel("Cravings by hour of the day")
                }
                Section("What helped") {
                    ForEach(i.whatHelped, id: \.strategy) { s in Text("\(s.strategy): resisted \(s.resisted) of \(s.uses)") }
                }
            }
        }
        .task { model.reload([.insights]) }
    }
}

/// The journal, newest first, and a new entry (optionally shared).
struct JournalScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var text = ""
    @State private var share = false
    var body: some View {
        List {
            Section("Write") {
                TextEditor(text: $text).frame(minHeight: 100)
                Toggle("Share with my mentor", isOn: $share)
                if share { Text(sharedCopyWarning).font(.footnote) }
                Button("Save") {
                    let input = JournalInput(text: text, mood: nil, tags: [])
                    let sharing = share
                    Task {
                        await model.run { t in
                            let entry = try t.addJournal(input: input)
                            if sharing { try t.share(kind: .journal, id: entry.id, pairId: nil) }
                        }
                        text = ""
                    }
                }
            }
            ForEach(model.journal, id: \.id) { e in Text(e.text).lineLimit(3) }
        }
        .navigationTitle("Journal")
    }
}

/// Goals and milestones; a goal can be shared with the mentor.
struct GoalsScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var title = ""
    var body: some View {
        List {
            HStack {
                TextField("New goal", text: $title)
                Button("Add") {
                    let input = GoalInput(title: title, why: "", target: nil)
                    Task { await model.run { try _ = $0.addGoal(input: input) }; title = "" }
                }
            }
            ForEach(model.goals, id: \.id) { goal in
                Section(goal.title) {
                    ForEach(goal.milestones, id: \.id) { m in
                        Toggle(m.title, isOn: Binding(get: { m.done }, set: { done in
                            Task { await model.run { try _ = $0.setMilestoneDone(goalId: goal.id, milestoneId: m.id, done: done) } }
                        }))
                    }
                    Button("Share with my mentor") {
                        Task { await model.run { try $0.share(kind: .goal, id: goal.id, pairId: nil) } }
                    }
                    Text(sharedCopyWarning).font(.footnote)
                }
            }
        }
        .navigationTitle("Goals")
    }
}

/// Shared notes, merged character by character with the other person's edits.
struct NotesScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List(model.notes, id: \.id) { note in
            NavigationLink(note.title) { NoteEditor(note: note) }
        }
        .navigationTitle("Notes")
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

/// The mentor's overview.
struct MentorOverviewScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        List(model.overview, id: \.pairId) { m in
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
        .task { await model.run { _ = try $0.mentorOverview(markSeen: true) } }
    }
}

/// Pair: show the invite as text and QR; join by typing a code.
struct PairScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var typed = ""
    var body: some View {
        Form {
            Button("Show an invite code") { Task { await model.invite() } }
            if let code = model.inviteCode {
                if let image = qrImage(code) {
                    Image(uiImage: image).interpolation(.none).resizable().frame(width: 240, height: 240)
                        .accessibilityLabel("Invite code as a QR code")
                }
                Text(code).textSelection(.enabled)
            }
            TextField("Invite code", text: $typed)
            Button("Join") { Task { await model.join(typed) } }
            ForEach(model.pairs, id: \.pairId) { p in Text("\(p.otherName ?? "…")\(p.ended ? " · ended" : "")") }
        }
        .navigationTitle("Pair")
    }
}

/// Settings: what others see, sync, export, delete everything.
struct SettingsScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var confirmErase = false
    var body: some View {
        Form {
            Section("What others can see") {
                Text("Your mentor sees only what you share: goals you move to the pair, entries and cravings you share, your clean time, and notes you write together. Anything you stop sharing may still be on your mentor's phone.")
                Text("The sync server stores only encrypted data it cannot read. It learns when your phone syncs, roughly how much it sends, and which accounts share a pair.")
            }
            Section("Sync") {
                if let s = model.sync { Text("\(s.server ?? "not set up") · \(s.pendingChanges) waiting") }
                Button("Sync now") { Task { await model.syncNow() } }
                NavigationLink("Pair with a mentor") { PairScreen() }
            }
            Section {
                Button("Export everything") { Task { _ = await model.exportJSON() } }
                Button("Delete everything", role: .destructive) { confirmErase = true }
            }
        }
        .confirmationDialog("This removes every entry from this phone and deletes your account on the server. Copies your mentor's phone already synced stay there.", isPresented: $confirmErase) {
            Button("Delete everything", role: .destructive) { Task { await model.eraseEverything() } }
        }
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
