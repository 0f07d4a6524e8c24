import SwiftUI
import VisionKit

/// The camera reading one QR code (an invite or a link code), handed back
/// as if typed. VisionKit's DataScannerViewController (iOS 16); where the
/// phone cannot scan, the button is not offered and the code is typed.
struct QRScanButton: View {
    let found: (String) -> Void
    @State private var scanning = false
    var body: some View {
        if DataScannerViewController.isSupported {
            Button("Scan the code") { scanning = true }
                .sheet(isPresented: $scanning) {
                    QRScanner { text in
                        scanning = false
                        found(text)
                    }
                    .ignoresSafeArea()
                }
        }
    }
}

private struct QRScanner: UIViewControllerRepresentable {
    let found: (String) -> Void

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode(symbologies: [.qr])],
            qualityLevel: .balanced,
            isHighlightingEnabled: true
        )
        scanner.delegate = context.coordinator
        try? scanner.startScanning()
        return scanner
    }

    func updateUIViewController(_ controller: DataScannerViewController, context: Context) {}

    func makeCoordinator() -> Coordinator { Coordinator(found: found) }

    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        let found: (String) -> Void
        private var done = false

        init(found: @escaping (String) -> Void) { self.found = found }

        func dataScanner(_ scanner: DataScannerViewController, didAdd items: [RecognizedItem], allItems: [RecognizedItem]) {
            guard !done else { return }
            for case .barcode(let code) in items {
                if let text = code.payloadStringValue {
                    done = true
                    scanner.stopScanning()
                    found(text)
                    return
                }
            }
        }
    }
}
