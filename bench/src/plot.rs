//! A curve: one x column and a few y series, printed as a table and drawn as an SVG line chart
//! (plotters, text left to the viewer's fonts).

use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::{coord::ranged1d::ValueFormatter, prelude::*};

pub struct Curve {
    /// File name (without .svg) and table heading.
    pub name: String,
    pub title: String,
    pub x_label: &'static str,
    pub y_label: &'static str,
    pub log_x: bool,
    pub log_y: bool,
    pub x: Vec<f64>,
    /// (label, one value per x).
    pub series: Vec<(&'static str, Vec<f64>)>,
    /// Columns printed in the table but not drawn (other units).
    pub extra: Vec<(&'static str, Vec<f64>)>,
}

impl Curve {
    pub fn print(&self) {
        println!();
        println!("{} ({})", self.title, self.name);
        print!("{:>12}", self.x_label);
        let columns = || self.series.iter().chain(&self.extra);
        for (label, _) in columns() {
            print!(" {label:>18}");
        }
        println!();
        for (i, x) in self.x.iter().enumerate() {
            print!("{x:>12}");
            for (_, values) in columns() {
                print!(" {:>18.1}", values.get(i).copied().unwrap_or(f64::NAN));
            }
            println!();
        }
    }

    pub fn draw(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.svg", self.name));
        let root = SVGBackend::new(&path, (720, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let finite = |v: &&f64| v.is_finite() && (!self.log_y || **v > 0.0);
        let ys: Vec<f64> = self
            .series
            .iter()
            .flat_map(|(_, values)| values.iter().filter(finite).copied())
            .collect();
        let (x_min, x_max) = bounds(&self.x);
        let (y_min, y_max) = bounds(&ys);
        let y_range = if self.log_y {
            y_min * 0.8..y_max * 1.25
        } else {
            0.0..y_max * 1.1
        };
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70);
        // Four axis kinds are four chart types in plotters: one generic body draws each.
        match (self.log_x, self.log_y) {
            (true, true) => self.body(
                builder
                    .build_cartesian_2d((x_min..x_max).log_scale(), y_range.log_scale())
                    .map_err(plot_error)?,
            ),
            (true, false) => self.body(
                builder
                    .build_cartesian_2d((x_min..x_max).log_scale(), y_range)
                    .map_err(plot_error)?,
            ),
            (false, true) => self.body(
                builder
                    .build_cartesian_2d(0.0..x_max * 1.05, y_range.log_scale())
                    .map_err(plot_error)?,
            ),
            (false, false) => self.body(
                builder
                    .build_cartesian_2d(0.0..x_max * 1.05, y_range)
                    .map_err(plot_error)?,
            ),
        }?;
        root.present().map_err(plot_error)?;
        Ok(())
    }

    fn body<'a, X, Y>(
        &self,
        mut chart: ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    ) -> Result<()>
    where
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        chart
            .configure_mesh()
            .x_desc(self.x_label)
            .y_desc(self.y_label)
            .draw()
            .map_err(plot_error)?;
        for (i, (label, values)) in self.series.iter().enumerate() {
            let colour = Palette99::pick(i).to_rgba();
            let points: Vec<(f64, f64)> = self
                .x
                .iter()
                .copied()
                .zip(values.iter().copied())
                .filter(|(_, y)| y.is_finite() && (!self.log_y || *y > 0.0))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(plot_error)?
                .label(*label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(plot_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(plot_error)?;
        Ok(())
    }
}

/// (min, max) of the finite values, never an empty range.
fn bounds(values: &[f64]) -> (f64, f64) {
    let finite = values.iter().copied().filter(|v| v.is_finite() && *v > 0.0);
    let min = finite.clone().fold(f64::INFINITY, f64::min);
    let max = finite.fold(f64::NEG_INFINITY, f64::max);
    if min.is_finite() && max > min {
        (min, max)
    } else if min.is_finite() {
        (min * 0.5, min * 2.0)
    } else {
        (1.0, 10.0)
    }
}

fn plot_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing a chart: {e}")
}
