//! The ringtone of an incoming call, synthesized with the Web Audio API (no audio file): two
//! sine tones (400 Hz + 450 Hz) in the classic double-ring cadence, 0.4 s on, 0.2 s off, 0.4 s
//! on, 2 s off. The whole cadence is scheduled ahead on the audio clock, so no timer keeps it
//! going; stopping closes the audio context, which silences it at once.

/// Starts ringing (no-op if already ringing). Returns whether audio is playing.
pub fn start() -> bool {
    imp::start()
}

/// Stops ringing at once.
pub fn stop() {
    imp::stop()
}

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;

    use web_sys::{AudioContext, OscillatorType};

    /// Seconds of one cadence, and how many are scheduled ahead (longer than any ring timeout).
    const CYCLE: f64 = 3.0;
    const CYCLES: usize = 60;
    const VOLUME: f32 = 0.12;

    thread_local! {
        static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
    }

    pub fn start() -> bool {
        if CONTEXT.with(|c| c.borrow().is_some()) {
            return true;
        }
        match build() {
            Some(ctx) => {
                CONTEXT.with(|c| *c.borrow_mut() = Some(ctx));
                true
            }
            None => false,
        }
    }

    pub fn stop() {
        if let Some(ctx) = CONTEXT.with(|c| c.borrow_mut().take()) {
            let _ = ctx.close();
        }
    }

    fn build() -> Option<AudioContext> {
        let ctx = AudioContext::new().ok()?;
        // Browsers may create it suspended until the page had a user gesture.
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
    pub fn start() -> bool {
        false
    }
    pub fn stop() {}
}
