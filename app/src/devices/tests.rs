use super::*;

fn device(kind: DeviceKind, id: &str, label: &str) -> Device {
    Device {
        kind,
        id: id.into(),
        label: label.into(),
    }
}

#[test]
fn kinds_come_from_the_browsers_names() {
    assert_eq!(
        DeviceKind::from_web("audioinput"),
        Some(DeviceKind::Microphone)
    );
    assert_eq!(DeviceKind::from_web("videoinput"), Some(DeviceKind::Camera));
    assert_eq!(
        DeviceKind::from_web("audiooutput"),
        Some(DeviceKind::Speaker)
    );
    assert_eq!(DeviceKind::from_web("other"), None);
    assert_eq!(DeviceKind::Speaker.track_kind(), None);
}

#[test]
fn entries_are_labelled_or_numbered_until_permission() {
    let devices = [
        device(DeviceKind::Camera, "c1", ""),
        device(DeviceKind::Microphone, "m1", "Headset"),
        device(DeviceKind::Camera, "c2", ""),
        device(DeviceKind::Camera, "", ""),
    ];
    assert_eq!(
        entries(&devices, DeviceKind::Camera),
        [
            ("c1".into(), "Camera 1".into()),
            ("c2".into(), "Camera 2".into())
        ]
    );
    assert_eq!(
        entries(&devices, DeviceKind::Microphone),
        [("m1".to_owned(), "Headset".to_owned())]
    );
    assert_eq!(
        entries(&devices, DeviceKind::Speaker),
        [(String::new(), "Default".to_owned())],
        "the default speaker can always be chosen"
    );
}

#[test]
fn the_default_speaker_is_the_browsers_own_entry_when_listed() {
    let chromium = [
        device(DeviceKind::Speaker, "default", "Default - Speakers"),
        device(DeviceKind::Speaker, "s1", "Speakers"),
    ];
    assert_eq!(
        entries(&chromium, DeviceKind::Speaker).len(),
        2,
        "no second default"
    );
    assert_eq!(speaker_entry(&chromium, ""), "default");
    assert_eq!(speaker_entry(&chromium, "s1"), "s1");
    assert_eq!(speaker_entry(&[], ""), "");
}

#[test]
fn a_remembered_device_is_used_only_while_present() {
    let devices = [device(DeviceKind::Camera, "c1", "Built-in")];
    assert_eq!(
        preferred(&devices, DeviceKind::Camera, Some("c1")).as_deref(),
        Some("c1")
    );
    assert_eq!(
        preferred(&devices, DeviceKind::Camera, Some("usb")),
        None,
        "unplugged"
    );
    assert_eq!(
        preferred(&devices, DeviceKind::Microphone, Some("c1")),
        None,
        "other kind"
    );
    assert_eq!(preferred(&devices, DeviceKind::Camera, None), None);
}

#[test]
fn a_device_gone_mid_call_falls_back_with_a_notice() {
    let devices = [
        device(DeviceKind::Camera, "c1", "Built-in"),
        device(DeviceKind::Microphone, "m1", "Built-in"),
    ];
    let in_use = [
        (DeviceKind::Camera, "usb-cam".to_owned()),
        (DeviceKind::Microphone, "m1".to_owned()),
    ];
    assert_eq!(lost(&devices, &in_use), [DeviceKind::Camera]);
    assert!(lost(&devices, &in_use[1..]).is_empty());
    assert_eq!(
        fallback_notice(DeviceKind::Camera),
        "Your camera was disconnected: the call goes on with the default camera."
    );
}

#[test]
fn the_entry_in_use_is_the_tracks_device_or_the_speaker_chosen() {
    let list = [
        device(DeviceKind::Speaker, "default", "Default - Speakers"),
        device(DeviceKind::Camera, "c1", "Built-in"),
    ];
    let in_use = [
        (DeviceKind::Camera, "c1".to_owned()),
        (DeviceKind::Microphone, "m2".to_owned()),
    ];
    let entry = |kind, speaker| entry_in_use(&list, &in_use, speaker, kind);
    assert_eq!(entry(DeviceKind::Camera, ""), "c1");
    assert_eq!(entry(DeviceKind::Microphone, ""), "m2");
    assert_eq!(entry(DeviceKind::Speaker, ""), "default");
    assert_eq!(entry(DeviceKind::Speaker, "s9"), "s9");
    assert_eq!(entry_in_use(&list, &[], "", DeviceKind::Camera), "");
}
