//! Sets `microlite_arm_dsp` on Arm targets with the DSP extension (Armv7E-M: Cortex-M4/M7),
//! where `kernels::arch::arm` uses SMLAD and SXTB16. Stable Rust does not expose Arm target
//! features to `cfg`, so the target name decides; Armv8-M Mainline parts with the optional
//! DSP extension (Cortex-M33/M35P/M55) opt in with `-C target-feature=+dsp` in RUSTFLAGS.
//! `MICROLITE_PORTABLE=1` in the build environment keeps the portable kernels (to compare).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(microlite_arm_dsp)");
    println!("cargo::rerun-if-env-changed=MICROLITE_PORTABLE");
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let v8m_dsp = target.starts_with("thumbv8m.main") && flags.contains("+dsp");
    let portable = std::env::var("MICROLITE_PORTABLE").is_ok_and(|v| v == "1");
    if (target.starts_with("thumbv7em") || v8m_dsp) && !portable {
        println!("cargo::rustc-cfg=microlite_arm_dsp");
    }
}
