//! The microphone level meter of the device check, as plain Rust that `cargo test` runs: the
//! browser's AnalyserNode gives a window of time-domain samples (`getByteTimeDomainData`, 128 is
//! silence), [`rms`] measures them, [`meter`] maps that to a 0-100 bar on a decibel scale (as
//! ears hear loudness), and [`smooth`] lets the bar fall slowly so that speech does not flicker.

/// The quietest level the bar shows, in dBFS: room noise sits below it.
pub const FLOOR_DB: f64 = -60.0;
/// How much of the bar is kept from one read to the next when the sound gets quieter.
pub const FALL: f64 = 0.85;
/// How often the page reads the analyser, milliseconds.
pub const READ_INTERVAL_MS: u32 = 100;

/// Root mean square of unsigned 8-bit samples centred on 128, from 0 (silence) to 1 (full
/// scale); 0 for no samples.
pub fn rms(samples: &[u8]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples
        .iter()
        .map(|&s| {
            let centred = (f64::from(s) - 128.0) / 128.0;
            centred * centred
        })
        .sum();
    (sum / samples.len() as f64).sqrt().min(1.0)
}

/// The bar for a level: 0 at or below [`FLOOR_DB`], 100 at full scale, linear in decibels.
pub fn meter(rms: f64) -> u8 {
    if rms <= 0.0 || rms.is_nan() {
        return 0;
    }
    let db = 20.0 * rms.log10();
    let share = ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0);
    (share * 100.0).round() as u8
}

/// The bar after a read: up at once, down by [`FALL`] at most per read.
pub fn smooth(previous: u8, now: u8) -> u8 {
    let fallen = (f64::from(previous) * FALL).floor() as u8;
    now.max(fallen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_zero_and_full_scale_is_one() {
        assert_eq!(rms(&[]), 0.0);
        assert_eq!(rms(&[128; 256]), 0.0);
        // A square wave between the extremes.
        let square: Vec<u8> = (0..256).map(|i| if i % 2 == 0 { 0 } else { 255 }).collect();
        assert!(rms(&square) > 0.99, "{}", rms(&square));
    }

    #[test]
    fn a_sine_has_the_rms_of_a_sine() {
        // Amplitude 64 of 128 (half scale): RMS 0.5 / sqrt(2).
        let sine: Vec<u8> = (0..1024)
            .map(|i| {
                let phase = i as f64 / 1024.0 * 16.0 * std::f64::consts::TAU;
                (128.0 + 64.0 * phase.sin()).round() as u8
            })
            .collect();
        let level = rms(&sine);
        assert!((level - 0.5 / 2f64.sqrt()).abs() < 0.01, "{level}");
    }

    #[test]
    fn the_bar_is_linear_in_decibels() {
        assert_eq!(meter(0.0), 0);
        assert_eq!(meter(f64::NAN), 0);
        assert_eq!(meter(0.0005), 0, "-66 dB is below the floor");
        assert_eq!(meter(0.001), 0, "-60 dB is the floor");
        assert_eq!(meter(0.01), 33, "-40 dB");
        assert_eq!(meter(0.1), 67, "-20 dB");
        assert_eq!(meter(1.0), 100);
        assert_eq!(meter(2.0), 100);
    }

    #[test]
    fn the_bar_rises_at_once_and_falls_slowly() {
        assert_eq!(smooth(0, 80), 80);
        assert_eq!(smooth(80, 0), 68);
        assert_eq!(smooth(68, 0), 57);
        assert_eq!(smooth(80, 90), 90);
        assert_eq!(smooth(1, 0), 0, "reaches zero");
    }
}
