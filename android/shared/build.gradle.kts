// Plain Kotlin, no Android SDK: the uniffi bindings (generated from the
// host build of tandem-ffi into build/generated/uniffi) and the presenters
// the app's screens render. scripts/test-kotlin in the repository root
// compiles and runs the same sources and tests with kotlinc on the JVM.
plugins {
    alias(libs.plugins.kotlin.jvm)
}

val generated = layout.buildDirectory.dir("generated/uniffi/kotlin")
val hostLib = layout.buildDirectory.dir("host-lib")

// The bindings and the host library the unit tests load come from the
// Rust workspace; Gradle reruns this when the core's sources change.
val generateBindings by tasks.registering(Exec::class) {
    workingDir = rootDir
    commandLine("scripts/build-native", "--host-only")
    inputs.files(fileTree(rootDir.resolve("..")) {
        include("core/src/**", "bindings/src/**", "bindings/uniffi.toml", "Cargo.lock")
    })
    outputs.dirs(generated, hostLib)
}

kotlin {
    jvmToolchain(17)
    sourceSets["main"].kotlin.srcDir(generateBindings.map { generated.get() })
}

tasks.named("compileKotlin") { dependsOn(generateBindings) }

tasks.test {
    // The generated bindings load libtandem_ffi through JNA from here.
    systemProperty("jna.library.path", hostLib.get().asFile.path)
    // The sync tests need a server: scripts/test-kotlin starts one on loopback.
    System.getenv("TANDEM_TEST_SERVER")?.let { environment("TANDEM_TEST_SERVER", it) }
}

dependencies {
    // JNA's classes only: the app ships JNA's Android native part (`@aar`).
    compileOnly(libs.jna)
    implementation(libs.kotlinx.coroutines.core)
    testImplementation(libs.jna)
    testImplementation(kotlin("test-junit"))
}
