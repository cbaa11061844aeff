//! The ringtone of an incoming call, synthesized with the Web Audio API (no audio file): two
//! sine tones (400 Hz + 450 Hz) in the classic double-ring cadence, 0.4 s on, 0.2 s off, 0.4 s
//! on, 2 s off. The whole cadence is scheduled ahead on the audio clock, so no timer keeps it
//! going; stopping closes the audio context, which silences it at once.
//!
//! A browser's autoplay policy may hold the audio until the user has interacted with the page:
//! the caller of [`start`] hears [`Sound::Blocked`] then, and [`enable`] (from a click) lets it
//! play.

use crate::attention::Sound;

/// Starts ringing (no-op if already ringing). `on_sound` hears whether it can be heard, and again
/// when that changes.
pub fn start(on_sound: impl Fn(Sound) + 'static) {
    imp::start(on_sound)
}

/// Stops ringing at once.
pub fn stop() {
    imp::stop()
}

/// Resumes a ringtone the autoplay policy held. Call it from a click: the user's gesture is what
/// allows sound, for this page from then on.
pub fn enable() {
    imp::enable()
}

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{AudioContext, AudioContextState, OscillatorType};

    use crate::attention::Sound;

    /// Seconds of one cadence, and how many are scheduled ahead (longer than any ring timeout).
    const CYCLE: f64 = 3.0;
    const CYCLES: usize = 60;
    const VOLUME: f32 = 0.12;
    /// A context the policy allows starts within this; still suspended then, it is held.
    const START_GRACE: Duration = Duration::from_millis(500);

    struct Ringing {
        ctx: AudioContext,
        _on_state: Closure<dyn FnMut()>,
    }

    thread_local! {
        static RINGING: RefCell<Option<Ringing>> = const { RefCell::new(None) };
    }

    pub fn start(on_sound: impl Fn(Sound) + 'static) {
        if RINGING.with(|r| r.borrow().is_some()) {
            return;
        }
        let Some(ctx) = build() else {
            return on_sound(Sound::Off);
        };
        let on_sound = Rc::new(on_sound);
        let report = on_sound.clone();
        let watched = ctx.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || {
            if watched.state() == AudioContextState::Running {
                report(Sound::Playing);
            }
        });
        ctx.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        if ctx.state() == AudioContextState::Running {
            on_sound(Sound::Playing);
        }
        let held = ctx.clone();
        leptos::prelude::set_timeout(
            move || {
                let current = RINGING.with(|r| r.borrow().as_ref().is_some_and(|r| r.ctx == held));
                if current && held.state() == AudioContextState::Suspended {
                    on_sound(Sound::Blocked);
                }
            },
            START_GRACE,
        );
        RINGING.with(|r| {
            *r.borrow_mut() = Some(Ringing {
                ctx,
                _on_state: on_state,
            })
        });
    }

    pub fn stop() {
        if let Some(ringing) = RINGING.with(|r| r.borrow_mut().take()) {
            ringing.ctx.set_onstatechange(None);
            let _ = ringing.ctx.close();
        }
    }

    pub fn enable() {
        RINGING.with(|r| {
            if let Some(ringing) = r.borrow().as_ref() {
                let _ = ringing.ctx.resume();
            }
        });
    }

    fn build() -> Option<AudioContext> {
        let ctx = AudioContext::new().ok()?;
        // Starts it where the policy allows; elsewhere this waits for a user gesture.
        let _ = ctx.resume();
        let gain = ctx.create_gain().ok()?;
        gain.gain().set_value(0.0);
        gain.connect_with_audio_node(&ctx.destination()).ok()?;
        for frequency in [400.0, 450.0] {
            let osc = ctx.create_oscillator().ok()?;
            osc.set_type(OscillatorType::Sine);
            osc.frequency().set_value(frequency);
            osc.connect_with_audio_node(&gain).ok()?;
            osc.start().ok()?;
        }
        let level = gain.gain();
        let t0 = ctx.current_time() + 0.05;
        for cycle in 0..CYCLES {
            let t = t0 + cycle as f64 * CYCLE;
            for (on, off) in [(0.0, 0.4), (0.6, 1.0)] {
                level.set_value_at_time(VOLUME, t + on).ok()?;
                level.set_value_at_time(0.0, t + off).ok()?;
            }
        }
        Some(ctx)
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use crate::attention::Sound;

    pub fn start(_on_sound: impl Fn(Sound) + 'static) {}
    pub fn stop() {}
    pub fn enable() {}
}
