import SwiftUI
import TandemCore

/// The first run, as the core's flow leads it: each step the flow returns is
/// drawn here, each button is one call on the flow, and a refused answer
/// shows the flow's error above the same step.
struct FirstRunScreen: View {
    @EnvironmentObject var model: AppModel
    var body: some View {
        NavigationStack {
            Form {
                if let problem = model.firstRunProblem {
                    Text(problemText(problem)).foregroundStyle(.red)
                }
                switch model.firstRunStep {
                case .profile(let nameMax)?:
                    ProfileStep(nameMax: nameMax)
                    Section("Already use Tandem?") {
                        NavigationLink("I already use Tandem on another phone") { LinkThisDeviceScreen() }
                        NavigationLink("Restore with my recovery key") { RestoreScreen() }
                    }
                case .firstTrack(let name, _, let latestSince, let nameMax)?:
                    FirstTrackStep(name: name, latestSince: latestSince, nameMax: nameMax)
                case .syncChoice?: SyncChoiceStep()
                case .recoveryKey(let k)?:
                    RecoveryKeyView(step: k, kept: { model.keyKept() }, confirm: { model.confirmKey($0) }, showAgain: { model.showKeyAgain() })
                case .done?:
                    Section("You are set up") { Button("Go to Today") { model.openToday() } }
                case nil: ProgressView()
                }
                if model.firstRunBusy { ProgressView() }
            }
            .disabled(model.firstRunBusy)
            .navigationTitle("Welcome to Tandem")
        }
        .onChange(of: model.firstRunProblem.map(problemText)) { text in
            if let text { UIAccessibility.post(notification: .announcement, argument: text) }
        }
    }
}

/// A name and an IANA time zone (the phone's own, to start with); the core checks both.
private struct ProfileStep: View {
    @EnvironmentObject var model: AppModel
    let nameMax: UInt32
    @State private var name = ""
    @State private var zone = TimeZone.current.identifier
    var body: some View {
        Section {
            Text("Tandem keeps your clean time, journal and cravings on this phone, and shares only what you choose with a mentor.")
            TextField("Your name, as your mentor will see it", text: $name)
                .textContentType(.nickname)
            Text("Up to \(nameMax) characters").font(.footnote)
            TextField("Your time zone (for example Europe/Berlin)", text: $zone)
                .textInputAutocapitalization(.never)
                .autocorrectionDisabled()
            Button("Continue") { model.profile(name: name, timezone: zone) }
        }
    }
}

/// A first track (what, and since when: not after the core's latest day), or skip it.
private struct FirstTrackStep: View {
    @EnvironmentObject var model: AppModel
    let name: String
    /// The latest first clean day the core allows, as ISO text (`yyyy-MM-dd`).
    let latestSince: String
    let nameMax: UInt32
    @State private var track = ""
    @State private var since = Date()
    var body: some View {
        Section("Your clean time") {
            Text("Hi \(name). Tandem can count your clean time from the first clean day.")
            TextField("What you stay away from (for example alcohol)", text: $track)
            Text("Up to \(nameMax) characters").font(.footnote)
            DatePicker("Your first clean day", selection: $since, in: ...(isoDay.date(from: latestSince) ?? Date()), displayedComponents: .date)
                .environment(\.timeZone, isoDay.timeZone)
            Button("Start counting") { model.firstTrack(FirstTrack(name: track, since: isoDay.string(from: since))) }
            Button("Skip for now") { model.firstTrack(nil) }
        }
        .onAppear { since = isoDay.date(from: latestSince) ?? Date() }
    }
}

/// A sync server's address, or not now.
private struct SyncChoiceStep: View {
    @EnvironmentObject var model: AppModel
    @State private var server = ""
    var body: some View {
        Section("Sync and pairing") {
            Text("A sync server keeps your devices up to date and lets you pair with a mentor. It stores only encrypted data it cannot read.")
            TextField("Sync server address", text: $server)
                .keyboardType(.URL)
                .textInputAutocapitalization(.never)
                .autocorrectionDisabled()
            Button("Use this server") { model.connect(server: server) }
            Button("Not now") { model.notNow() }
        }
    }
}

/// Days as the core writes them (ISO `yyyy-MM-dd`), read and written at UTC midnight.
private let isoDay: DateFormatter = {
    let f = DateFormatter()
    f.calendar = Calendar(identifier: .gregorian)
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    return f
}()
