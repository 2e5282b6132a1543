//! Model values quoted in inject texts: the placeholders' syntax, reading them (`find`) and
//! filling them (`fill`), so an inject never says something the simulation does not.
//!
//! An inject's `text` (and `text_en`) may contain, in braces:
//!
//! | placeholder | filled with |
//! |---|---|
//! | `{conc:REACH@KM}` | the concentration (mg/L, 2 decimals) of every chemical spill together at km `KM` of river reach `REACH` at delivery (the spill model's value; 0.00 upstream of every spill) |
//! | `{depth:ZONE}` | the water depth (m, 2 decimals) of flood zone `ZONE` at delivery |
//!
//! Anything else in braces is left as written. `exercise::placeholders` gives each its value at
//! delivery; `validate` checks that the reach and zone exist (rule `unknown-id`) and that `KM` is
//! a number within the reach.

/// One placeholder found in a text.
#[derive(Debug, Clone, PartialEq)]
pub enum Placeholder {
    /// Spill concentration at km `km` of reach `reach`.
    Conc { reach: String, km: f64 },
    /// Depth of a flood zone.
    Depth { zone: String },
}

/// A `{kind:arg}` in a text that looks like a placeholder but cannot be read (its text).
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed(pub String);

/// The placeholders of `text`, in order, as (byte range, what); braces that are not one of the
/// known kinds are ignored; a known kind with an unreadable argument is `Err`.
pub fn find(text: &str) -> Vec<(std::ops::Range<usize>, Result<Placeholder, Malformed>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let Some(close) = text[open..].find('}').map(|i| open + i) else { break };
        let inner = &text[open + 1..close];
        #[allow(clippy::manual_map, reason = "one branch per placeholder kind, each built alike")]
        let parsed = if let Some(arg) = inner.strip_prefix("conc:") {
            Some(match arg.split_once('@') {
                Some((reach, km)) if !reach.is_empty() => match km.trim().parse::<f64>() {
                    Ok(km) if km.is_finite() => Ok(Placeholder::Conc { reach: reach.trim().to_string(), km }),
                    _ => Err(Malformed(inner.to_string())),
                },
                _ => Err(Malformed(inner.to_string())),
            })
        } else if let Some(zone) = inner.strip_prefix("depth:") {
            Some(if zone.trim().is_empty() {
                Err(Malformed(inner.to_string()))
            } else {
                Ok(Placeholder::Depth { zone: zone.trim().to_string() })
            })
        } else {
            None
        };
        if let Some(p) = parsed {
            out.push((open..close + 1, p));
        }
        from = close + 1;
    }
    out
}

/// Replaces every readable placeholder of `text` by `value(placeholder)` with 2 decimals (left
/// as written where `value` gives None).
pub fn fill(text: &str, value: impl Fn(&Placeholder) -> Option<f64>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, p) in find(text) {
        let Ok(p) = p else { continue };
        let Some(v) = value(&p) else { continue };
        out.push_str(&text[last..range.start]);
        out.push_str(&format!("{v:.2}"));
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_fills_known_placeholders_only() {
        let text = "border {conc:rv_border@0} mg/L, zone {depth:fz1} m, {other} {conc:bad}";
        let found = find(text);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].1, Ok(Placeholder::Conc { reach: "rv_border".into(), km: 0.0 }));
        assert_eq!(found[1].1, Ok(Placeholder::Depth { zone: "fz1".into() }));
        assert_eq!(found[2].1, Err(Malformed("conc:bad".into())));
        let filled = fill(text, |p| match p {
            Placeholder::Conc { .. } => Some(4.567),
            Placeholder::Depth { .. } => Some(1.0),
        });
        assert_eq!(filled, "border 4.57 mg/L, zone 1.00 m, {other} {conc:bad}");
        assert_eq!(fill("no braces", |_| Some(1.0)), "no braces");
        assert_eq!(fill("{depth:z}", |_| None), "{depth:z}", "unknown values stay as written");
    }
}
