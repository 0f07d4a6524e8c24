import Foundation
import SwiftUI
import UniformTypeIdentifiers
import TandemCore

/// A screen over one of the core's flows (connect, link, restore, invite,
/// join, end a pair, reach out, export, erase): the core decides every
/// step; this model starts the flow off the main actor, carries each answer
/// to it, and publishes the step it reached. A refused answer is kept as
/// `problem` and the flow stays at its step. (`ObservableObject`, not
/// `@Observable`: the app targets iOS 16.)
@MainActor
final class FlowModel<Flow: AnyObject, Step>: ObservableObject {
    /// The step the flow stands at (nil until `start`).
    @Published private(set) var step: Step?
    /// An answer is with the core: the buttons wait.
    @Published private(set) var busy = false
    /// Why the last answer was refused, if it was.
    @Published var problem: Error?

    private var flow: Flow?
    private let open: (Tandem) throws -> Flow
    private let stepOf: (Flow) -> Step

    /// `open` starts the flow on the core; `step` reads where it stands.
    init(open: @escaping (Tandem) throws -> Flow, step: @escaping (Flow) -> Step) {
        self.open = open
        self.stepOf = step
    }

    /// Starts the flow (again, if it was started before).
    func start() async {
        let open = self.open, stepOf = self.stepOf
        await run {
            let tandem = Core.tandem
            let (flow, step) = try await Task.detached { () throws -> (Flow, Step) in
                let flow = try open(tandem)
                return (flow, stepOf(flow))
            }.value
            self.flow = flow
            self.step = step
        }
    }

    /// One answer on the flow, off the main actor; its step is shown after.
    func answer(_ action: @escaping (Flow) async throws -> Step) async {
        guard let flow else { return }
        await run {
            self.step = try await Task.detached { try await action(flow) }.value
        }
    }

    private func run(_ body: () async throws -> Void) async {
        guard !busy else { return }
        busy = true
        defer { busy = false }
        do {
            try await body()
            problem = nil
        } catch {
            problem = error
        }
    }
}

/// The sentence any failure shows: the core's kinds by name, anything else
/// (a fault inside the core surfaces as uniffi's internal error) as one
/// message, never a crash.
func problemText(_ error: Error) -> String {
    if let e = error as? TandemError { return problemText(e) }
    return String(localized: "Something went wrong. Nothing was lost; try again.")
}

/// Text handed to the system's document picker (`fileExporter`) to save.
struct TextFile: FileDocument {
    static var readableContentTypes: [UTType] { [.plainText, .json, .calendarEvent, markdown] }
    static var writableContentTypes: [UTType] { readableContentTypes }
    /// Markdown, for the readable export.
    static let markdown = UTType(filenameExtension: "md", conformingTo: .plainText) ?? .plainText
    /// What the file holds.
    var text: String

    init(text: String) { self.text = text }

    init(configuration: ReadConfiguration) throws {
        text = String(decoding: configuration.file.regularFileContents ?? Data(), as: UTF8.self)
    }

    func fileWrapper(configuration: WriteConfiguration) throws -> FileWrapper {
        FileWrapper(regularFileWithContents: Data(text.utf8))
    }
}
