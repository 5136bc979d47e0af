//! The settings' rules: precedence, the environment, and every problem named by its setting.
use super::*;

fn env(pairs: &[(&str, &str)]) -> ConnectionSettings {
    let owned: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    ConnectionSettings::default().or_env_with(move |name| {
        owned
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

const SP: &[(&str, &str)] = &[
    (
        "ARM_SUBSCRIPTION_ID",
        "00000000-0000-0000-0000-000000000001",
    ),
    ("ARM_TENANT_ID", "tenant"),
    ("ARM_CLIENT_ID", "app"),
    ("ARM_CLIENT_SECRET", "s3cret"),
];

#[test]
fn a_service_principal_with_a_secret_from_the_environment() {
    let settings = env(SP);
    assert!(matches!(
        settings.credential(),
        Ok(Credential::ClientSecret { ref tenant_id, ref client_id, .. })
            if tenant_id == "tenant" && client_id == "app"
    ));
    let config = settings.resolve().map_err(|e| format!("{e:?}"));
    assert_eq!(
        config.map(|c| c.cloud),
        Ok(Cloud::public()),
        "no environment: the public cloud"
    );
    assert!(!format!("{settings:?}").contains("s3cret"), "{settings:?}");
}

#[test]
fn the_cli_wins_over_a_secret_then_msi_then_oidc_then_a_certificate() {
    let with = |extra: &[(&str, &str)]| {
        let mut all = SP.to_vec();
        all.extend_from_slice(extra);
        env(&all).credential()
    };
    let cert = ("ARM_CLIENT_CERTIFICATE_PATH", "/sp.pem");
    let oidc = [("ARM_USE_OIDC", "true"), ("ARM_OIDC_TOKEN_FILE_PATH", "/t")];
    assert!(matches!(
        with(&[cert]),
        Ok(Credential::ClientCertificate { .. })
    ));
    assert!(matches!(
        with(&[cert, oidc[0], oidc[1]]),
        Ok(Credential::WorkloadIdentity { .. })
    ));
    assert!(matches!(
        with(&[cert, oidc[0], oidc[1], ("ARM_USE_MSI", "1")]),
        Ok(Credential::ManagedIdentity { client_id: Some(ref c) }) if c == "app"
    ));
    assert!(matches!(
        with(&[("ARM_USE_MSI", "true"), ("ARM_USE_CLI", "TRUE")]),
        Ok(Credential::AzureCli { tenant_id: Some(ref t) }) if t == "tenant"
    ));
    assert!(matches!(
        with(&[("ARM_USE_CLI", "false")]),
        Ok(Credential::ClientSecret { .. })
    ));
}

#[test]
fn oidc_takes_the_token_file_aks_workload_identity_names() {
    let settings = env(&[
        ("ARM_TENANT_ID", "tenant"),
        ("ARM_CLIENT_ID", "app"),
        ("ARM_USE_OIDC", "true"),
        ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"),
    ]);
    assert!(matches!(
        settings.credential(),
        Ok(Credential::WorkloadIdentity { ref token_file, .. })
            if token_file.as_os_str() == "/var/run/token"
    ));
}

#[test]
fn every_missing_setting_is_named_with_its_variable() {
    let errors = env(&[("ARM_USE_OIDC", "true")])
        .resolve()
        .err()
        .unwrap_or_default();
    let named: Vec<&str> = errors.iter().map(|e| e.setting).collect();
    assert_eq!(
        named,
        [
            "subscription_id",
            "tenant_id",
            "client_id",
            "oidc_token_file_path"
        ]
    );
    assert_eq!(
        errors[1].detail,
        "set tenant_id or the ARM_TENANT_ID environment variable"
    );
    assert!(
        errors[3].detail.contains("AZURE_FEDERATED_TOKEN_FILE"),
        "{}",
        errors[3].detail
    );
}

#[test]
fn a_secret_that_is_missing_names_the_other_ways() {
    let errors = env(&SP[..3]).resolve().err().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].setting, "client_secret");
    assert!(errors[0].detail.contains("use_cli"), "{}", errors[0].detail);
}

#[test]
fn a_custom_endpoint_must_be_https_and_a_named_cloud_must_exist() {
    let mut settings = env(SP);
    settings.endpoint = Some("http://127.0.0.1:8443".into());
    let errors = settings.resolve().err().unwrap_or_default();
    assert_eq!(errors[0].setting, "endpoint");
    assert!(errors[0].detail.contains("https"), "{}", errors[0].detail);

    let mut settings = env(SP);
    settings.environment = Some("mars".into());
    let errors = settings.resolve().err().unwrap_or_default();
    assert_eq!(errors[0].setting, "environment");
    assert!(
        errors[0].detail.contains("usgovernment"),
        "{}",
        errors[0].detail
    );

    let mut settings = env(SP);
    settings.environment = Some("china".into());
    let cloud = settings
        .resolve()
        .map(|c| c.cloud)
        .map_err(|e| format!("{e:?}"));
    assert_eq!(cloud, Ok(Cloud::china()));
}

#[test]
fn a_given_setting_wins_over_its_variable() {
    let settings = ConnectionSettings {
        tenant_id: Some("from-block".into()),
        ..ConnectionSettings::default()
    }
    .or_env_with(|name| (name == "ARM_TENANT_ID").then(|| "from-env".to_owned()));
    assert_eq!(settings.tenant_id.as_deref(), Some("from-block"));
}

#[test]
fn an_unreadable_ca_certificate_is_named() {
    let mut settings = env(SP);
    settings.ca_certificate_file = Some("/nonexistent/ca.pem".into());
    let errors = settings.resolve().err().unwrap_or_default();
    assert_eq!(errors[0].setting, "ca_certificate_file");
    assert!(
        errors[0].detail.starts_with("/nonexistent/ca.pem: "),
        "{}",
        errors[0].detail
    );
}

#[test]
fn a_subscription_that_is_no_guid_is_named() {
    let mut settings = env(SP);
    settings.subscription_id = Some("my-subscription".into());
    let errors = settings.resolve().err().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].setting, "subscription_id");
    assert!(errors[0].detail.contains("GUID"), "{}", errors[0].detail);
}

#[test]
fn a_credential_file_that_cannot_be_opened_is_named() {
    let mut settings = env(SP);
    settings.client_certificate_path = Some("/nonexistent/sp.pem".into());
    let errors = settings.resolve().err().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].setting, "client_certificate_path");
    assert_eq!(errors[0].summary, "Unusable certificate file");
    assert!(
        errors[0].detail.starts_with("/nonexistent/sp.pem: "),
        "{}",
        errors[0].detail
    );

    let mut settings = env(SP);
    settings.use_oidc = Some(true);
    settings.oidc_token_file_path = Some("/nonexistent/token".into());
    let errors = settings.resolve().err().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].setting, "oidc_token_file_path");
    assert_eq!(errors[0].summary, "Unreadable federated token file");
}

#[test]
fn a_pkcs12_bundle_is_named_with_how_to_convert_it() {
    let path = std::env::temp_dir().join(format!("bcdr-settings-{}.pfx", std::process::id()));
    let written = std::fs::write(&path, [0x30, 0x82, 0x0a, 0x0b, 0x02, 0x01, 0x03]);
    let mut settings = env(SP);
    settings.client_certificate_path = Some(path.display().to_string());
    let errors = settings.resolve().err().unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(written.is_ok());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].setting, "client_certificate_path");
    assert!(
        errors[0].detail.contains("openssl pkcs12"),
        "{}",
        errors[0].detail
    );
}

#[test]
fn a_connection_is_named_by_a_subscription_and_a_way_to_authenticate() {
    assert!(env(SP).names_a_connection());
    assert!(env(&[("ARM_SUBSCRIPTION_ID", "x"), ("ARM_USE_CLI", "true")]).names_a_connection());
    assert!(!env(&[("ARM_SUBSCRIPTION_ID", "x"), ("ARM_TENANT_ID", "t")]).names_a_connection());
    assert!(!env(&SP[1..]).names_a_connection());
}

#[test]
fn providers_are_registered_unless_skip_provider_registration_says_not_to() {
    let registers = |extra: &[(&str, &str)]| {
        let pairs: Vec<(&str, &str)> = SP.iter().chain(extra).copied().collect();
        env(&pairs).resolve().map(|c| c.register_providers)
    };
    assert_eq!(registers(&[]), Ok(true));
    assert_eq!(
        registers(&[("ARM_SKIP_PROVIDER_REGISTRATION", "true")]),
        Ok(false)
    );
    assert_eq!(
        registers(&[("ARM_SKIP_PROVIDER_REGISTRATION", "false")]),
        Ok(true)
    );
    let given = ConnectionSettings {
        skip_provider_registration: Some(false),
        ..env(SP)
    };
    let settings = given
        .or_env_with(|name| (name == "ARM_SKIP_PROVIDER_REGISTRATION").then(|| "true".to_owned()));
    assert_eq!(
        settings.resolve().map(|c| c.register_providers),
        Ok(true),
        "a given setting wins over its variable"
    );
}

#[test]
fn the_poll_interval_scale_comes_from_its_variable_and_must_be_positive() {
    let scale = |extra: &[(&str, &str)]| {
        let pairs: Vec<(&str, &str)> = SP.iter().chain(extra).copied().collect();
        env(&pairs).resolve().map(|c| c.poll_interval_scale)
    };
    assert_eq!(scale(&[]), Ok(1.0), "Azure's pace unless told");
    assert_eq!(scale(&[("ARM_POLL_INTERVAL_SCALE", "0.0005")]), Ok(0.0005));
    for wrong in ["0", "-1", "fast", "inf"] {
        let Err(errors) = scale(&[("ARM_POLL_INTERVAL_SCALE", wrong)]) else {
            panic!("{wrong} is refused");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].setting, "poll_interval_scale");
        assert_eq!(errors[0].summary, "Invalid poll_interval_scale");
    }
    let given = ConnectionSettings {
        poll_interval_scale: Some(0.01),
        ..env(SP)
    };
    let settings =
        given.or_env_with(|name| (name == "ARM_POLL_INTERVAL_SCALE").then(|| "0.5".to_owned()));
    assert_eq!(
        settings.resolve().map(|c| c.poll_interval_scale),
        Ok(0.01),
        "a given setting wins over its variable"
    );
}
