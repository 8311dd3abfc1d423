//! Unit tests of the per-username limits.

use std::net::Ipv4Addr;

use super::*;

fn client(last: u8) -> Client {
    let address = IpAddr::V4(Ipv4Addr::new(203, 0, 113, last));
    Client {
        address,
        key: address,
        https: false,
    }
}

fn limits(per_username: &str, global: &str) -> Limits {
    Limits::new(LimitSettings {
        per_username: per_username.parse().unwrap(),
        per_username_global: global.parse().unwrap(),
        ..LimitSettings::default()
    })
}

#[test]
fn a_username_is_limited_per_client_address() {
    let limits = limits("2/h", "off");
    let (attacker, victim) = (client(1), client(2));
    assert!(limits.check_sign_in("alice", &attacker, None).is_ok());
    assert!(limits.check_sign_in("ALICE", &attacker, None).is_ok());
    let Err(ApiError::TooManyRequests(wait)) = limits.check_sign_in("alice", &attacker, None)
    else {
        panic!("letter case does not make another username")
    };
    assert!((1..=1800).contains(&wait), "{wait}");
    assert!(limits.check_sign_in("alice", &victim, None).is_ok());
    assert!(limits.check_sign_in("bob", &attacker, None).is_ok());
}

#[test]
fn the_global_budget_bounds_many_addresses_but_not_known_devices() {
    let limits = limits("2/h", "3/h");
    for last in 1..=3 {
        assert!(limits.check_sign_in("alice", &client(last), None).is_ok());
    }
    assert!(limits.check_sign_in("alice", &client(4), None).is_err());
    assert!(limits
        .check_sign_in("alice", &client(4), Some("d1"))
        .is_ok());
    assert!(limits
        .check_sign_in("alice", &client(5), Some("d1"))
        .is_ok());
    assert!(
        limits
            .check_sign_in("alice", &client(6), Some("d1"))
            .is_err(),
        "a device has a limit of its own"
    );
}

#[test]
fn off_turns_every_per_username_limit_off() {
    let limits = limits("off", "1/h");
    for _ in 0..3 {
        assert!(limits.check_sign_in("alice", &client(1), None).is_ok());
    }
}
