//! The seats of a served exercise: who sits where, in which role, and the token that opens the
//! seat. Tokens are 128 random bits from the operating system, compared in constant time, written
//! once to `OUT/seats.json` (owner-only permissions) and never to the journal.

use std::path::Path;

use rand::TryRngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::scenario::ValidScenario;

/// What a seat may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Plays one agency: sees its own, orders for it only.
    Player,
    /// The exercise control cell: sees everything, pauses, changes speed, fires and re-times
    /// injects, ends the exercise.
    Facilitator,
    /// Sees everything; records observations; gives no orders.
    Evaluator,
    /// Sees what is public (clock, level, public warnings); gives no orders.
    Observer,
}

impl Role {
    /// Whether the role sees every journal entry.
    pub fn sees_all(self) -> bool {
        matches!(self, Role::Facilitator | Role::Evaluator)
    }
}

/// A seat as a `--seats` file describes it (no token).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeatSpec {
    pub name: String,
    pub role: Role,
    /// The agency a player seat plays (an agency id of the scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

/// A seat with its token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seat {
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    pub token: String,
}

/// `OUT/seats.json` (and the shape of a `--seats` file, whose tokens are ignored).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeatsFile<S> {
    pub seats: Vec<S>,
}

/// The default seats: one player per agency of the scenario, a facilitator, an evaluator and an
/// observer.
pub fn default_seats(sc: &ValidScenario) -> Vec<SeatSpec> {
    let mut v: Vec<SeatSpec> = sc
        .scenario
        .agencies
        .iter()
        .map(|a| SeatSpec { name: a.id.clone(), role: Role::Player, agency: Some(a.id.clone()) })
        .collect();
    for (name, role) in
        [("facilitator", Role::Facilitator), ("evaluator", Role::Evaluator), ("observer", Role::Observer)]
    {
        v.push(SeatSpec { name: name.into(), role, agency: None });
    }
    v
}

/// Reads a `--seats` file (JSON `{"seats": [{"name", "role", "agency"}]}`) and checks it
/// against the scenario; `Err` lists every problem.
pub fn read_specs(path: &Path, sc: &ValidScenario) -> Result<Vec<SeatSpec>, Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("cannot read {}: {e}", path.display())])?;
    #[derive(Deserialize)]
    struct Loose {
        name: String,
        role: Role,
        #[serde(default)]
        agency: Option<String>,
        #[serde(default)]
        #[allow(dead_code)]
        token: Option<String>,
    }
    let f: SeatsFile<Loose> = serde_json::from_str(&text)
        .map_err(|e| vec![format!("{}:{}:{}: not a seats file: {e}", path.display(), e.line(), e.column())])?;
    let specs: Vec<SeatSpec> =
        f.seats.into_iter().map(|l| SeatSpec { name: l.name, role: l.role, agency: l.agency }).collect();
    check_specs(&specs, sc)
        .map_err(|v| v.into_iter().map(|m| format!("{}: {m}", path.display())).collect::<Vec<_>>())?;
    Ok(specs)
}

/// Every problem with a list of seats.
pub fn check_specs(specs: &[SeatSpec], sc: &ValidScenario) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (i, s) in specs.iter().enumerate() {
        if s.name.trim().is_empty() {
            problems.push(format!("seats[{i}]: the name is empty"));
        } else if !names.insert(s.name.as_str()) {
            problems.push(format!("seats[{i}]: the name \"{}\" is used twice", s.name));
        }
        match (s.role, &s.agency) {
            (Role::Player, None) => problems.push(format!("seats[{i}] \"{}\": a player seat names its agency", s.name)),
            (Role::Player, Some(a)) if sc.agency(a).is_none() => {
                problems.push(format!("seats[{i}] \"{}\": unknown agency \"{a}\"", s.name))
            }
            (Role::Player, Some(_)) => {}
            (_, Some(_)) => problems.push(format!("seats[{i}] \"{}\": only a player seat has an agency", s.name)),
            (_, None) => {}
        }
    }
    if !specs.iter().any(|s| s.role == Role::Facilitator) {
        problems.push("no facilitator seat: someone must be able to steer the exercise".into());
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// A fresh token: 128 bits from the operating system's generator, as 32 hex digits.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    OsRng.try_fill_bytes(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(crate::scenario::hex(&bytes))
}

/// Gives each seat a fresh token.
pub fn issue(specs: Vec<SeatSpec>) -> std::io::Result<Vec<Seat>> {
    specs.into_iter().map(|s| Ok(Seat { name: s.name, role: s.role, agency: s.agency, token: new_token()? })).collect()
}

/// Writes `seats.json`, readable and writable by its owner only.
pub fn write_seats(path: &Path, seats: &[Seat]) -> std::io::Result<()> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(&SeatsFile { seats: seats.to_vec() }).map_err(std::io::Error::from)? + "\n";
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600);
        // An existing file keeps its mode on open: set it explicitly.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// Why `seats.json` cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum SeatsError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("{}: not a seats file: {source}", path.display())]
    NotSeats { path: std::path::PathBuf, source: serde_json::Error },
}

/// Reads `seats.json` back (a resumed session keeps its tokens).
pub fn read_seats(path: &Path) -> Result<Vec<Seat>, SeatsError> {
    let text = std::fs::read_to_string(path).map_err(|source| SeatsError::Read { path: path.to_path_buf(), source })?;
    let f: SeatsFile<Seat> =
        serde_json::from_str(&text).map_err(|source| SeatsError::NotSeats { path: path.to_path_buf(), source })?;
    Ok(f.seats)
}

/// The seat a token opens. Every seat's token is compared, each in constant time, so the time
/// taken says nothing about which seat or how many characters matched.
pub fn find(seats: &[Seat], token: &str) -> Option<usize> {
    let mut found = None;
    for (i, s) in seats.iter().enumerate() {
        if bool::from(s.token.as_bytes().ct_eq(token.as_bytes())) {
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc() -> ValidScenario {
        crate::scenario::load(Path::new("scenarios/demo-county.ron")).unwrap()
    }

    #[test]
    fn default_seats_are_one_per_agency_and_the_control_cell() {
        let sc = sc();
        let s = default_seats(&sc);
        assert_eq!(s.iter().filter(|s| s.role == Role::Player).count(), sc.scenario.agencies.len());
        assert_eq!(s.iter().filter(|s| s.role == Role::Facilitator).count(), 1);
        check_specs(&s, &sc).unwrap();
    }

    #[test]
    fn tokens_are_128_bits_distinct_and_found_only_whole() {
        let seats = issue(default_seats(&sc())).unwrap();
        let tokens: std::collections::BTreeSet<&str> = seats.iter().map(|s| s.token.as_str()).collect();
        assert_eq!(tokens.len(), seats.len());
        assert!(seats.iter().all(|s| s.token.len() == 32 && s.token.chars().all(|c| c.is_ascii_hexdigit())));
        assert_eq!(find(&seats, &seats[3].token), Some(3));
        assert_eq!(find(&seats, &seats[3].token[..31]), None);
        assert_eq!(find(&seats, ""), None);
        let mut wrong = seats[3].token.clone();
        wrong.replace_range(0..1, if wrong.starts_with('0') { "1" } else { "0" });
        assert_eq!(find(&seats, &wrong), None);
    }

    #[test]
    fn bad_seat_lists_name_every_problem() {
        let sc = sc();
        let specs = vec![
            SeatSpec { name: "a".into(), role: Role::Player, agency: Some("nobody".into()) },
            SeatSpec { name: "a".into(), role: Role::Evaluator, agency: Some("ofc".into()) },
            SeatSpec { name: "b".into(), role: Role::Player, agency: None },
        ];
        let p = check_specs(&specs, &sc).unwrap_err();
        assert_eq!(p.len(), 5, "{p:?}");
        assert!(p.iter().any(|m| m.contains("unknown agency \"nobody\"")));
        assert!(p.iter().any(|m| m.contains("no facilitator")));
    }

    #[cfg(unix)]
    #[test]
    fn seats_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("seats.json");
        let seats = issue(default_seats(&sc())).unwrap();
        write_seats(&p, &seats).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(read_seats(&p).unwrap(), seats);
    }
}
