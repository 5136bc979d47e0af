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
