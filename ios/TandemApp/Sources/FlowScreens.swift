import SwiftUI
import TandemCore

/// What every flow screen shows above its step: the busy spinner and the last problem, read out.
private struct FlowHeader: View {
    let busy: Bool
    let problem: Error?
    var body: some View {
        if busy { ProgressView() }
        if let problem {
            Text(problemText(problem)).foregroundStyle(.red)
                .onAppear { UIAccessibility.post(notification: .announcement, argument: problemText(problem)) }
        }
    }
}

/// The recovery key steps every flow that makes a key shares (first run,
/// connect, restore): the key shown once, then one group asked back, or the
/// key shown again.
struct RecoveryKeyView: View {
    let step: RecoveryKeyStep
    let kept: () -> Void
    let confirm: (String) -> Void
    let showAgain: () -> Void
    @State private var group = ""
    var body: some View {
        switch step {
        case .show(let key, let groups):
            Section("Your recovery key") {
                Text("If this phone is lost, this key brings everything back on a new one. Write it down and keep it somewhere safe. It is shown only now: Tandem does not keep it.")
                Text(key)
                    .font(.system(.title3, design: .monospaced))
                    .accessibilityLabel("Recovery key, \(groups) groups: \(key)")
                Button("I wrote it down", action: kept)
            }
        case .confirm(let asked, let groups):
            Section("Check your recovery key") {
                Text("The key is hidden now. To check you have it, type one group from what you wrote down.")
                TextField("Group \(asked) of \(groups), counted after the key's prefix", text: $group)
                    .textInputAutocapitalization(.characters)
                    .autocorrectionDisabled()
                Button("Confirm") { confirm(group) }
                Button("Show the key again", action: showAgain)
            }
        }
    }
}

/// A one-time code as the core shows it: a QR code to scan and the text to type.
struct ShownCodeView: View {
    let code: ShownCode
    let label: LocalizedStringKey
    var body: some View {
        if let image = qrImage(code.qrPayload) {
            Image(uiImage: image).interpolation(.none).resizable().frame(width: 240, height: 240)
                .accessibilityLabel(label)
        }
        Text(code.text).font(.body.monospaced()).textSelection(.enabled)
    }
}

/// Connecting this phone (set up without one) to a sync server; the recovery key follows.
struct ConnectScreen: View {
    @StateObject private var flow = FlowModel(open: { try $0.connectFlow() }, step: { $0.step() })
    @Environment(\.dismiss) private var dismiss
    @State private var server = ""
    @State private var pem = ""
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .server?:
                Section("Sync server") {
                    TextField("https://sync.example.org", text: $server)
                        .keyboardType(.URL).textInputAutocapitalization(.never).autocorrectionDisabled()
                    ServerCaField(pem: $pem)
                    Button("Connect") {
                        let address = server, authority = pem
                        Task {
                            await flow.answer { f in
                                if !authority.isEmpty { try ServerAuthority.trust(server: address, pem: authority) }
                                return try await f.connect(server: address)
                            }
                        }
                    }
                }
            case .recoveryKey(let k)?:
                RecoveryKeyView(
                    step: k,
                    kept: { Task { await flow.answer { try $0.keyKept() } } },
                    confirm: { g in Task { await flow.answer { try $0.confirmKey(group: g) } } },
                    showAgain: { Task { await flow.answer { try $0.showKeyAgain() } } }
                )
            case .done?:
                Text("Connected. This phone now syncs.")
                Button("OK") { dismiss() }
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Connect")
        .task { await flow.start() }
    }
}

/// A self-hosted server's own certificate authority (PEM), behind a button:
/// most people never need it, an operator's members paste it.
struct ServerCaField: View {
    @Binding var pem: String
    @State private var open = false
    var body: some View {
        if open || !pem.isEmpty {
            TextField("The server's certificate authority (PEM)", text: $pem, axis: .vertical)
                .textInputAutocapitalization(.never).autocorrectionDisabled()
            Text("Only for a self-hosted server: trusted for that server alone.").font(.footnote)
        } else {
            Button("My server uses its own certificate") { open = true }
        }
    }
}

/// Linking another phone: a code to scan or type there, good once; then a look whether it arrived.
struct LinkDeviceScreen: View {
    @StateObject private var flow = FlowModel(open: { try $0.linkDeviceFlow() }, step: { $0.step() })
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .needsServer?:
                Text("Linking needs a sync server. This phone does not sync yet.")
                NavigationLink("Connect to a sync server") { ConnectScreen() }
            case .ready?:
                Text("On the new phone, choose “I already use Tandem on another phone” and scan or type the code. It works once.")
                Button("Show a link code") { Task { await flow.answer { try await $0.showCode() } } }
            case .showingCode(let code)?:
                ShownCodeView(code: code, label: "Link code as a QR code")
                Button("Has the other phone linked?") { Task { await flow.answer { try await $0.check() } } }
            case .linked(let devices)?:
                Text("Linked: you have \(devices) devices.")
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Link another phone")
        .task { await flow.start() }
    }
}

/// This fresh phone joins the person's account: the code the other phone shows, and the server.
struct LinkThisDeviceScreen: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow = FlowModel(open: { try $0.linkThisDeviceFlow() }, step: { $0.step() })
    @State private var code = ""
    @State private var server = ""
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .enterCode?:
                Text("On your other phone, open Settings, Devices, Link another phone, and scan or type the code it shows.")
                QRScanButton { scanned in code = scanned }
                SecureField("Link code", text: $code).textInputAutocapitalization(.characters)
                TextField("https://sync.example.org", text: $server)
                    .keyboardType(.URL).textInputAutocapitalization(.never).autocorrectionDisabled()
                Button("Link this phone") {
                    let c = code, s = server
                    Task { await flow.answer { try await $0.link(code: c, server: s) } }
                }
            case .done?:
                Button("Go to Today") { Task { await model.decide() } }
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Link this phone")
        .task { await flow.start() }
    }
}

/// This fresh phone takes the person's data back with the recovery key (every other phone lost).
struct RestoreScreen: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow = FlowModel(open: { try $0.restoreFlow() }, step: { $0.step() })
    @State private var key = ""
    @State private var server = ""
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .enterKey?:
                Text("Use this when every other phone is lost. You get a new recovery key; the old one stops working.")
                SecureField("Recovery key", text: $key).textInputAutocapitalization(.characters)
                TextField("https://sync.example.org", text: $server)
                    .keyboardType(.URL).textInputAutocapitalization(.never).autocorrectionDisabled()
                Button("Restore") {
                    let k = key, s = server
                    Task { await flow.answer { try await $0.restore(recoveryKey: k, server: s) } }
                }
            case .recoveryKey(let k)?:
                RecoveryKeyView(
                    step: k,
                    kept: { Task { await flow.answer { try $0.keyKept() } } },
                    confirm: { g in Task { await flow.answer { try $0.confirmKey(group: g) } } },
                    showAgain: { Task { await flow.answer { try $0.showKeyAgain() } } }
                )
            case .done?:
                Button("Go to Today") { Task { await model.decide() } }
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Restore")
        .task { await flow.start() }
    }
}

/// The mentee's invite: a QR code and the text, good once; then a look whether the mentor joined.
struct PairInviteScreen: View {
    @StateObject private var flow = FlowModel(open: { try $0.pairInviteFlow() }, step: { $0.step() })
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .needsServer?:
                Text("Pairing needs a sync server. This phone does not sync yet.")
                NavigationLink("Connect to a sync server") { ConnectScreen() }
            case .ready?:
                Text("Your mentor scans or types the invite on their phone. They will see only what you choose to share.")
                Button("Make an invite") { Task { await flow.answer { try await $0.invite() } } }
            case .showingCode(let code)?:
                ShownCodeView(code: code, label: "Invite code as a QR code")
                Text("The invite works once. Show it only to your mentor.").font(.footnote)
                Button("Has my mentor joined?") { Task { await flow.answer { try await $0.check() } } }
            case .joined(let pair)?:
                Text("You are paired with \(pair.otherName ?? String(localized: "your mentor")).")
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Invite a mentor")
        .task { await flow.start() }
    }
}

/// The mentor joins with the mentee's invite, typed (or pasted from the camera's scan).
struct PairJoinScreen: View {
    @StateObject private var flow = FlowModel(open: { try $0.pairJoinFlow() }, step: { $0.step() })
    @State private var code = ""
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .needsServer?:
                Text("Pairing needs a sync server. This phone does not sync yet.")
                NavigationLink("Connect to a sync server") { ConnectScreen() }
            case .enterCode?:
                QRScanButton { scanned in Task { await flow.answer { try await $0.join(code: scanned) } } }
                SecureField("Invite code", text: $code).textInputAutocapitalization(.characters)
                Button("Join") {
                    let c = code
                    Task { await flow.answer { try await $0.join(code: c) } }
                }
            case .joined(let pair)?:
                Text("You are paired with \(pair.otherName ?? String(localized: "your mentee")).")
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Join a mentee")
        .task { await flow.start() }
    }
}

/// Ending a pair: what it does, in the core's words, then the person confirms.
struct EndPairScreen: View {
    @StateObject private var flow: FlowModel<EndPairFlow, EndPairStep>
    @Environment(\.dismiss) private var dismiss

    init(pairId: String) {
        _flow = StateObject(wrappedValue: FlowModel(open: { try $0.endPairFlow(pairId: pairId) }, step: { $0.step() }))
    }

    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .confirm(let pair, let consequences)?:
                Section("End the pair with \(pair.otherName ?? String(localized: "your pair"))?") {
                    ForEach(consequences.indices, id: \.self) { i in Text(endPairText(consequences[i])) }
                    Button("End the pair", role: .destructive) { Task { await flow.answer { try await $0.confirm() } } }
                    Button("Cancel", role: .cancel) { dismiss() }
                }
            case .ended?:
                Text("This pair has ended.")
                Button("OK") { dismiss() }
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("End the pair")
        .task { await flow.start() }
    }
}

private func endPairText(_ c: EndPairConsequence) -> String {
    switch c {
    case .otherPhoneKeepsSharedCopies(let items):
        return String(localized: "The other phone keeps the \(items) items already synced: ending cannot take them back.")
    case .thisPhoneKeepsSharedCopies(let items):
        return String(localized: "This phone keeps the \(items) items your mentee shared.")
    case .ownEntriesStay: return String(localized: "Your own entries stay on your phone, untouched.")
    case .syncStops: return String(localized: "Nothing more passes between the two phones in this pair.")
    case .reachOutsStop: return String(localized: "Reaching out in this pair stops.")
    case .otherSideSeesItEnded: return String(localized: "The other phone shows the pair as ended after its next sync.")
    }
}

/// The mentee asks their mentor to reach out: a few optional words, to one of their mentors.
struct ReachOutScreen: View {
    @StateObject private var flow = FlowModel(open: { try $0.reachOutFlow() }, step: { $0.step() })
    @State private var text = ""
    @State private var pairId: String?
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .noMentor?:
                Text("You have no mentor to reach yet. Invite one first.")
                NavigationLink("Invite a mentor") { PairInviteScreen() }
            case .compose(let pairs, let textMax)?:
                TextField("A few words (optional)", text: $text, axis: .vertical)
                    .onChange(of: text) { t in if t.count > Int(textMax) { text = String(t.prefix(Int(textMax))) } }
                if pairs.count > 1 {
                    Picker("To", selection: $pairId) {
                        ForEach(pairs, id: \.pairId) { p in Text(p.otherName ?? String(localized: "your mentor")).tag(Optional(p.pairId)) }
                    }
                }
                Button("Ask my mentor to reach out") {
                    let chosen = pairId, words = text
                    Task { await flow.answer { try await $0.send(pairId: chosen, text: words) } }
                }
            case .sent(_, _, let delivered)?:
                Text(delivered ? "Sent. Your mentor will see it." : "Your mentor gets it with the next sync.")
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Reach out")
        .task { await flow.start() }
    }
}

/// Export: the format, then the file, handed to the system's document picker (saved where the person picks).
struct ExportScreen: View {
    @StateObject private var flow = FlowModel(open: { $0.exportFlow() }, step: { $0.step() })
    @State private var saving = false
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            Text("The file holds your whole journal and craving log, unencrypted. Keep it somewhere only you can open.")
            switch flow.step {
            case .choose?:
                Button("Export everything (JSON, can be imported again)") { Task { await flow.answer { try await $0.export(format: .json) } } }
                Button("Export to read (Markdown)") { Task { await flow.answer { try await $0.export(format: .markdown) } } }
            case .ready(let file)?:
                Button("Save the file") { saving = true }
                    .fileExporter(isPresented: $saving, document: TextFile(text: file.content), contentType: file.format == .json ? .json : TextFile.markdown,
                                  defaultFilename: "tandem-\(file.date).\(file.extension)") { _ in
                        // Saved or not, the file is forgotten: the flow starts over.
                        Task { await flow.start() }
                    }
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Export")
        .task { await flow.start() }
    }
}

/// Erase: what it does, in the core's words, then the person confirms; the app stays locked for good after.
struct EraseScreen: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow = FlowModel(open: { try $0.eraseFlow() }, step: { $0.step() })
    var body: some View {
        Form {
            FlowHeader(busy: flow.busy, problem: flow.problem)
            switch flow.step {
            case .confirm(let consequences)?:
                ForEach(consequences.indices, id: \.self) { i in Text(eraseText(consequences[i])) }
                if consequences.contains(.exportFirst) { NavigationLink("Export first") { ExportScreen() } }
                Button("Delete everything", role: .destructive) {
                    // The kept server authority goes too.
                    let also = [Core.storeFolder.appendingPathComponent("server-ca.pem").path]
                    Task { await flow.answer { try await $0.confirm(also: also) } }
                }
            case .erased?:
                Text("Erased.")
                    .task {
                        KeychainKey.erase()
                        model.erased()
                    }
            case nil: EmptyView()
            }
        }
        .disabled(flow.busy)
        .navigationTitle("Delete everything")
        .task { await flow.start() }
    }
}

private func eraseText(_ c: EraseConsequence) -> String {
    switch c {
    case .deletesThisDevice: return String(localized: "Everything on this phone is deleted. This cannot be undone.")
    case .deletesServerAccount: return String(localized: "Your account at the sync server is deleted, with everything it relays.")
    case .otherDevicesStopSyncing(let devices): return String(localized: "Your \(devices) other devices stop syncing.")
    case .mentorsKeepSharedCopies(let pairs): return String(localized: "The mentors in \(pairs) pairs keep the copies already synced.")
    case .exportFirst: return String(localized: "You can export a copy first.")
    }
}
