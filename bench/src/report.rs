//! Collected figures: a table for people and one JSON line for tools.

use hdrhistogram::Histogram;
use serde_json::{json, Map, Value};

/// A latency histogram in microseconds, 1 us to 60 s, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// Records a sample, clamping it into the histogram's range.
pub fn record(histogram: &mut Histogram<u64>, micros: u64) {
    let _ = histogram.record(micros.clamp(1, 60_000_000));
}

/// One figure: what, how much, and the target it is held against (if any).
pub struct Row {
    pub key: String,
    pub value: f64,
    pub unit: &'static str,
    /// ("<=" or ">=", bound).
    pub target: Option<(&'static str, f64)>,
}

#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    pub fn add(&mut self, key: impl Into<String>, value: f64, unit: &'static str) {
        self.rows.push(Row {
            key: key.into(),
            value,
            unit,
            target: None,
        });
    }

    pub fn target(
        &mut self,
        key: impl Into<String>,
        value: f64,
        unit: &'static str,
        op: &'static str,
        bound: f64,
    ) {
        self.rows.push(Row {
            key: key.into(),
            value,
            unit,
            target: Some((op, bound)),
        });
    }

    /// p50/p90/p99/(p999)/max of a latency histogram, in microseconds.
    pub fn latencies(&mut self, prefix: &str, histogram: &Histogram<u64>, with_p999: bool) {
        self.add(format!("{prefix}.samples"), histogram.len() as f64, "");
        if histogram.is_empty() {
            return;
        }
        self.add(
            format!("{prefix}.p50"),
            histogram.value_at_quantile(0.50) as f64,
            "us",
        );
        self.add(
            format!("{prefix}.p90"),
            histogram.value_at_quantile(0.90) as f64,
            "us",
        );
        self.add(
            format!("{prefix}.p99"),
            histogram.value_at_quantile(0.99) as f64,
            "us",
        );
        if with_p999 {
            self.add(
                format!("{prefix}.p999"),
                histogram.value_at_quantile(0.999) as f64,
                "us",
            );
        }
        self.add(format!("{prefix}.max"), histogram.max() as f64, "us");
    }

    /// A recorded figure, by key.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|row| row.key == key)
            .map(|row| row.value)
    }

    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        eprintln!("note: {note}");
        self.notes.push(note);
    }

    /// Marks an already recorded figure with a target.
    pub fn set_target(&mut self, key: &str, op: &'static str, bound: f64) {
        if let Some(row) = self.rows.iter_mut().find(|row| row.key == key) {
            row.target = Some((op, bound));
        }
    }

    pub fn print(&self) {
        println!();
        println!(
            "{:<44} {:>14} {:<5} {:<16}",
            "figure", "value", "unit", "target"
        );
        println!("{}", "-".repeat(84));
        for row in &self.rows {
            let target = match row.target {
                Some((op, bound)) => {
                    let met = if op == "<=" {
                        row.value <= bound
                    } else {
                        row.value >= bound
                    };
                    format!(
                        "{op} {} {}",
                        fmt(bound),
                        if met { "met" } else { "NOT MET" }
                    )
                }
                None => String::new(),
            };
            println!(
                "{:<44} {:>14} {:<5} {target}",
                row.key,
                fmt(row.value),
                row.unit
            );
        }
        for note in &self.notes {
            println!("note: {note}");
        }
        let mut figures = Map::new();
        for row in &self.rows {
            figures.insert(row.key.clone(), json!(round(row.value)));
        }
        let line = json!({ "bench": Value::Object(figures), "notes": self.notes });
        println!("{line}");
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn fmt(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 1000.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}
