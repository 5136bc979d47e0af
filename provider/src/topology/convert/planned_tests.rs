//! Tests of the planned values: where the global resources default to.

use super::*;

fn config(east_role: Value, west_role: Value) -> Value {
    let region = |role: Value| Value::Map(BTreeMap::from([("role".to_owned(), role)]));
    Value::Map(BTreeMap::from([(
        "region".to_owned(),
        Value::Map(BTreeMap::from([
            ("eastus".to_owned(), region(east_role)),
            ("westus".to_owned(), region(west_role)),
        ])),
    )]))
}

#[test]
fn the_home_is_the_primary_region_else_the_first_by_name() {
    let primary = Value::string("primary");
    let none = Value::Null;
    assert_eq!(
        home_region(&config(none.clone(), primary.clone()), &Value::Null),
        Value::string("westus")
    );
    assert_eq!(
        home_region(&config(none.clone(), none.clone()), &Value::Null),
        Value::string("eastus")
    );
    assert_eq!(
        home_region(&config(Value::Unknown, none), &Value::Null),
        Value::Unknown,
        "a role not known yet could make either the home"
    );
    let prior = Value::Map(BTreeMap::from([(
        "home_region".to_owned(),
        Value::string("eastus"),
    )]));
    assert_eq!(
        home_region(&config(Value::Null, primary), &prior),
        Value::string("eastus"),
        "the home never moves once the global resources exist"
    );
}

#[test]
fn the_global_group_stays_where_it_is_and_is_chosen_by_the_sdk_at_first() {
    let none = Value::Null;
    let state = |region: &str| {
        Value::Map(BTreeMap::from([(
            "global_group_region".to_owned(),
            Value::string(region),
        )]))
    };
    let configured = |region: &str| {
        let mut c = config(none.clone(), none.clone());
        if let Value::Map(m) = &mut c {
            m.insert("global_group_region".into(), Value::string(region));
        }
        c
    };
    let unset = config(none.clone(), none.clone());
    assert_eq!(
        global_group_region(&unset, &Value::Null),
        Value::Unknown,
        "known after apply: an existing group keeps its region"
    );
    assert_eq!(
        global_group_region(&unset, &state("eastus")),
        Value::string("eastus")
    );
    assert_eq!(
        global_group_region(&configured("centralus"), &Value::Null),
        Value::string("centralus")
    );
    assert!(
        super::super::global_group_move(&state("eastus"), &configured("EastUS")).is_none(),
        "the same region, spelled otherwise"
    );
    let Some(refused) = super::super::global_group_move(&state("eastus"), &configured("eastus2"))
    else {
        panic!("a move is refused");
    };
    assert!(
        refused.detail.contains("never changes a group's region")
            && refused.detail.contains("global_group_region = \"eastus\""),
        "{}",
        refused.detail
    );
    assert!(super::super::global_group_move(&Value::Null, &configured("eastus2")).is_none());
}
