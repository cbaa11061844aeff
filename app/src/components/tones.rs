//! Short tones that mark a change of the media path ([`crate::quality::tone_for`] decides
//! which), synthesized with the Web Audio API like the ringtone: two 120 ms sine notes, falling
//! when the connection drops, rising when it recovers.

use web_sys::{AudioContext, OscillatorType};

use crate::quality::Tone;

const NOTE_SECS: f64 = 0.12;
const VOLUME: f32 = 0.1;
/// The context is closed once the notes are over.
const CLOSE_AFTER_MS: u64 = 600;

/// Plays `tone` (silently nothing where the browser holds audio back).
pub fn play(tone: Tone) {
    let notes = match tone {
        Tone::Dropped => [660.0, 440.0],
        Tone::Recovered => [440.0, 660.0],
    };
    let Some(ctx) = schedule(notes) else {
        return;
    };
    leptos::prelude::set_timeout(
        move || {
            let _ = ctx.close();
        },
        std::time::Duration::from_millis(CLOSE_AFTER_MS),
    );
}

fn schedule(notes: [f32; 2]) -> Option<AudioContext> {
    let ctx = AudioContext::new().ok()?;
    let _ = ctx.resume();
    let gain = ctx.create_gain().ok()?;
    gain.gain().set_value(VOLUME);
    gain.connect_with_audio_node(&ctx.destination()).ok()?;
    let t0 = ctx.current_time() + 0.02;
    for (i, frequency) in notes.into_iter().enumerate() {
        let osc = ctx.create_oscillator().ok()?;
        osc.set_type(OscillatorType::Sine);
        osc.frequency().set_value(frequency);
        osc.connect_with_audio_node(&gain).ok()?;
        let start = t0 + i as f64 * NOTE_SECS;
        osc.start_with_when(start).ok()?;
        osc.stop_with_when(start + NOTE_SECS).ok()?;
    }
    Some(ctx)
}
