// Tandem for Android: `app` (Compose UI, WorkManager, Keystore, BiometricPrompt)
// over `shared` (plain Kotlin: the generated uniffi bindings and the code
// that needs no Android SDK, which the JVM tests in this repository run).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "Tandem"
include(":app", ":shared")
