plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "app.tandem.android"
    compileSdk = 35

    defaultConfig {
        applicationId = "app.tandem"
        minSdk = 28
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

// The native libraries for the four phone ABIs come from the Rust
// workspace (cargo-ndk); the bindings from :shared's generateBindings.
val buildNative by tasks.registering(Exec::class) {
    workingDir = rootDir
    commandLine("scripts/build-native", "--phones-only")
    outputs.dir(layout.projectDirectory.dir("src/main/jniLibs"))
}
tasks.named("preBuild") { dependsOn(buildNative) }

dependencies {
    implementation(project(":shared"))
    implementation(variantOf(libs.jna) { artifactType("aar") })
    implementation(platform(libs.compose.bom))
    implementation(libs.compose.material3)
    implementation(libs.compose.ui)
    implementation(libs.compose.ui.tooling.preview)
    implementation(libs.activity.compose)
    implementation(libs.navigation.compose)
    implementation(libs.lifecycle.viewmodel.compose)
    implementation(libs.lifecycle.runtime.compose)
    implementation(libs.lifecycle.process)
    implementation(libs.work.runtime)
    implementation(libs.core.ktx)
    // Wake-ups through the person's UnifiedPush distributor (no Google service).
    implementation(libs.unifiedpush.connector)
    implementation(libs.biometric)
    implementation(libs.fragment.ktx)
    implementation(libs.zxing.core)
    implementation(libs.zxing.android.embedded)
}
