import SwiftUI
import TandemCore

/// Pairs: each pair with the other person's name, the safety code to
/// compare, and the warnings the core raises; invite, join, end.
struct PairsScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        Form {
            if let screen = model.pairs {
                if !screen.canPair {
                    Text("Pairing needs a sync server. This phone does not sync yet.")
                    NavigationLink("Connect to a sync server") { ConnectScreen() }
                } else {
                    NavigationLink("Invite a mentor") { PairInviteScreen() }
                    NavigationLink("Join a mentee") { PairJoinScreen() }
                }
                if screen.empty { Text("No pairs yet.") }
                ForEach(screen.pairs, id: \.pairId) { p in
                    Section(p.side == .mentee ? "Your mentor \(p.otherName ?? "…")" : "Your mentee \(p.otherName ?? "…")") {
                        if p.ended { Text("This pair has ended.") }
                        if let code = p.safetyCode {
                            Text("Safety code \(code): the same on both phones means each phone holds the other person's identity.").font(.footnote)
                        }
                        if p.identityMismatch {
                            Text("Warning: the other side's identity changed since you paired. Compare safety codes in person, or end this pair.").foregroundStyle(.red)
                            if let pending = p.pendingSafetyCode {
                                Text("Compare this code with the other person's phone: \(pending)")
                                Button("The codes match") {
                                    Task { await model.run { _ = try $0.confirmPairIdentity(pairId: p.pairId, code: pending) } }
                                }
                            }
                        }
                        if p.unadmittedMembers > 0 {
                            Text("Warning: someone besides the two of you is in this pair. End it if you did not invite them.").foregroundStyle(.red)
                        }
                        if !p.ended { NavigationLink("End the pair") { EndPairScreen(pairId: p.pairId) } }
                    }
                }
            }
        }
        .navigationTitle("Pairs")
        .task { await model.show(.pairs) }
    }
}

/// Settings: what others see, the app lock, the app's name, the reminder, and the way to sync, devices, export and erase.
struct SettingsScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        Form {
            Section("What others can see") {
                Text("Your mentor sees only what you share: goals you move to the pair, entries and cravings you share, your clean time, and notes you write together. Anything you stop sharing may still be on your mentor's phone.")
                Text("The sync server stores only encrypted data it cannot read. It learns when your phone syncs, roughly how much it sends, and which accounts share a pair.")
            }
            if let s = model.settings {
                Section("Lock the app after") {
                    Picker("Lock the app after", selection: Binding(get: { s.lockAfterSecs }, set: { v in change { $0.lockAfterSecs = v } })) {
                        Text("At once").tag(UInt32(0))
                        Text("1 minute").tag(UInt32(60))
                        Text("5 minutes").tag(UInt32(300))
                        Text("15 minutes").tag(UInt32(900))
                    }
                }
                Section("Name on the home screen and in notifications") {
                    Picker("Name", selection: Binding(get: { s.appName }, set: { name in
                        change { $0.appName = name }
                        AppIcon.show(name)
                    })) {
                        Text("Tandem").tag(AppName.tandem)
                        Text("Notes").tag(AppName.notes)
                        Text("Daily").tag(AppName.daily)
                        Text("Steps").tag(AppName.steps)
                    }
                    Text("Choose a name that does not say what the app is for.").font(.footnote)
                }
                Section("Reminders") {
                    Picker("Daily check-in reminder", selection: Binding(get: { s.reminderHour }, set: { h in change { $0.reminderHour = h } })) {
                        Text("Off").tag(UInt8?.none)
                        ForEach([UInt8(8), 12, 18, 21], id: \.self) { h in Text(String(format: "%02d:00", Int(h))).tag(UInt8?.some(h)) }
                    }
                    Toggle("Tell me when my pair shares something", isOn: Binding(get: { s.pairActivityNotices }, set: { on in change { $0.pairActivityNotices = on } }))
                }
            }
            Section("Sync") {
                if let screen = model.sync {
                    Text(screen.connected ? (screen.status.server ?? "") : String(localized: "This phone does not sync. Everything stays on it."))
                    if !screen.connected { NavigationLink("Connect to a sync server") { ConnectScreen() } }
                }
                NavigationLink("Sync status") { SyncStatusScreen() }
                NavigationLink("Pairs") { PairsScreen() }
                NavigationLink("Devices") { DevicesScreen() }
            }
            Section {
                NavigationLink("Export") { ExportScreen() }
                NavigationLink("Delete everything") { EraseScreen() }
            }
        }
        .navigationTitle("Settings")
        .task {
            await model.show(.settings)
            await model.show(.syncStatus)
        }
    }

    /// Changes the settings as `edit` says, if the core accepts the result.
    private func change(_ edit: @escaping @Sendable (inout TandemCore.Settings) -> Void) {
        Task {
            await model.run { t in
                var s = try t.settings()
                edit(&s)
                _ = try t.setSettings(settings: s)
            }
        }
    }
}

/// How syncing goes: the server, the last success, what waits, what was refused or set aside, and Sync now.
struct SyncStatusScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        Form {
            if let screen = model.sync {
                if !screen.connected {
                    Text("This phone does not sync. Everything stays on it.")
                } else {
                    let st = screen.status
                    Text(st.server ?? "")
                    if let ms = st.lastSuccessMs {
                        Text("Synced \(Date(timeIntervalSince1970: Double(ms) / 1000).formatted(date: .abbreviated, time: .shortened))")
                    } else {
                        Text("Not synced yet")
                    }
                    Text("\(st.pendingChanges) changes waiting")
                    if st.failures > 0 { Text("Sync is not getting through (\(st.failures) tries)").foregroundStyle(.red) }
                    if let e = st.lastError { Text(e).font(.footnote) }
                    if st.refusedRecords > 0 { Text("\(st.refusedRecords) records were refused (not signed by your pair).") }
                    if st.quarantined > 0 { Text("\(st.quarantined) items could not be read and were set aside.") }
                    Button("Sync now") { Task { await model.syncNow() } }
                }
            }
        }
        .navigationTitle("Sync status")
        .task { await model.show(.syncStatus) }
    }
}

/// This person's devices: the core's list, the server's view, a warning for
/// an uncertified one and the code of each device's keys; confirm a flagged
/// one with the code it shows for itself, unlink a lost one, link a new
/// one, a new recovery key.
struct DevicesScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var unlinking: String?
    @State private var confirming: String?
    @State private var typedCode = ""
    var body: some View {
        Form {
            if let key = model.recoveryKey {
                Section("Your new recovery key") {
                    Text(key).font(.title3.monospaced())
                    Button("I wrote it down") { model.recoveryKey = nil }
                }
            }
            if let screen = model.devices {
                // Once the server was asked, its list: it also holds devices
                // only the server knows (flagged), which the person must see.
                ForEach(model.devicesOnServer ?? screen.devices, id: \.deviceId) { d in
                    let listed = model.devicesOnServer?.first { $0.deviceId == d.deviceId }
                    VStack(alignment: .leading, spacing: 4) {
                        Text(d.thisDevice ? String(localized: "This phone") : String(localized: "Device \(String(d.deviceId.prefix(8)))"))
                        if d.unlinked { Text("Unlinked").font(.footnote) }
                        if d.unlinkUnfinished { Text("Unlinking did not finish. Try again when online.").foregroundStyle(.red) }
                        let flagged = d.uncertified || listed?.uncertified == true
                        if flagged {
                            Text("This device is not certified by your account. If you did not link it, unlink it now.").foregroundStyle(.red)
                        }
                        if let code = d.code {
                            Text("Code: \(code)").font(.footnote.monospaced()).speechSpellsOutCharacters()
                        }
                        if let s = listed?.server ?? d.server {
                            Text("Linked \(Date(timeIntervalSince1970: Double(s.createdAtMs) / 1000).formatted(date: .abbreviated, time: .omitted))").font(.footnote)
                        }
                        if flagged && !d.thisDevice && !d.unlinked && d.code != nil {
                            Button("This is my device") { typedCode = ""; confirming = d.deviceId }
                                .buttonStyle(.borderless)
                        }
                        if !d.thisDevice && (!d.unlinked || d.unlinkUnfinished) {
                            Button("Unlink", role: .destructive) { unlinking = d.deviceId }
                                .buttonStyle(.borderless)
                        }
                    }
                }
                if screen.canLink {
                    NavigationLink("Link another phone") { LinkDeviceScreen() }
                    Button("Ask the server which devices it lists") { Task { await model.checkDevicesWithServer() } }
                    Button("Make a new recovery key") { Task { await model.newRecoveryKey() } }
                }
            }
        }
        .navigationTitle("Devices")
        .task { await model.show(.devices) }
        .confirmationDialog(
            "Unlink this device? It stops syncing, and new keys are made that it never sees. Copies already on it stay on it.",
            isPresented: Binding(get: { unlinking != nil }, set: { if !$0 { unlinking = nil } })
        ) {
            Button("Unlink", role: .destructive) {
                if let id = unlinking { Task { await model.unlink(id) } }
                unlinking = nil
            }
        }
        .alert(
            "Is this your device?",
            isPresented: Binding(get: { confirming != nil }, set: { if !$0 { confirming = nil } })
        ) {
            TextField("Code on that device", text: $typedCode).keyboardType(.numberPad)
            Button("This is my device") {
                let code = typedCode
                if let id = confirming { Task { await model.confirmDevice(id, code: code) } }
                confirming = nil
            }
            .disabled(typedCode.trimmingCharacters(in: .whitespaces).isEmpty)
            Button("Cancel", role: .cancel) { confirming = nil }
        } message: {
            Text("On that device, open Devices: its code is under “This phone”. Type it here. If the codes differ, it is not your device: unlink it.")
        }
    }
}

/// Tracks: clean time per track, adding one, and starting again after a lapse with the history kept.
struct TracksScreen: View {
    @EnvironmentObject var model: AppModel
    @State private var name = ""
    @State private var daysClean = 0
    var body: some View {
        Form {
            if let today = model.today?.today {
                ForEach(today.tracks, id: \.id) { t in
                    Section(t.name) {
                        Text("\(t.cleanDays) days").font(.title)
                        Text("Attempt \(t.attempts) · longest \(t.longestStreakDays) days · \(t.totalCleanDays) days in all").font(.footnote)
                        Button("Start again today") {
                            Task { await model.run { _ = try $0.resetTrack(id: t.id, date: today.date, note: "") } }
                        }
                        Text("Your history stays: the attempts, the longest streak and every clean day.").font(.footnote)
                    }
                }
                Section("A new track") {
                    TextField("What you count clean time for", text: $name)
                    Stepper("Days clean so far: \(daysClean)", value: $daysClean, in: 0...36500)
                    Button("Add") {
                        let since = Calendar(identifier: .gregorian).date(byAdding: .day, value: -daysClean, to: .now) ?? .now
                        // The person's own day, in their zone (the core's), not UTC.
                        let zone = TimeZone(identifier: today.timezone) ?? .current
                        let day = since.formatted(Date.ISO8601FormatStyle(timeZone: zone).year().month().day())
                        let track = name
                        // Cleared once saved: a refused track stays to be fixed.
                        Task {
                            if await model.attempt({ _ = try $0.addTrack(name: track, since: day) }) { name = "" }
                        }
                    }
                    .disabled(name.trimmingCharacters(in: .whitespaces).isEmpty)
                }
            }
        }
        .navigationTitle("Clean time")
        .task { await model.show(.today) }
    }
}
