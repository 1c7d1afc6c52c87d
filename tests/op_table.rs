//! The README's table of supported ops and the resolver's registration list stay in step.

use microlite::{AllOpsResolver, BuiltinOperator, OpResolver, ALL_OPS};
use std::collections::BTreeSet;

#[test]
fn readme_table_matches_all_ops_resolver() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("## Supported ops")
        .expect("README has a Supported ops section");
    let table: BTreeSet<String> = readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| op "))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('|').nth(1).unwrap().trim().to_string())
        .collect();
    let resolver = AllOpsResolver::with_all_ops();
    // Builtins, and TFLM's DETECTION_POSTPROCESS under its builtin-style name; the signal
    // custom ops have their own README section.
    let mut registered: BTreeSet<String> = resolver
        .codes()
        .filter(|c| *c != BuiltinOperator::CUSTOM)
        .map(|c| BuiltinOperator::name_of(c.0).unwrap().to_string())
        .collect();
    for r in resolver.registrations() {
        match r.custom_name() {
            Some("TFLite_Detection_PostProcess") => {
                registered.insert("DETECTION_POSTPROCESS".into());
            }
            Some(name) => assert!(name.starts_with("Signal"), "custom op {name}"),
            None => {}
        }
    }
    assert_eq!(resolver.len(), ALL_OPS);
    assert_eq!(table, registered, "README table vs. AllOpsResolver");
}

#[test]
fn unregistered_op_errors_name_the_resolver_method() {
    // Every op microlite has is "not registered" when missing from a resolver, naming the
    // `add_*` method that exists; an op microlite lacks (HASHTABLE_LOOKUP) stays "unsupported".
    let resolver = AllOpsResolver::with_all_ops();
    for c in resolver.codes().filter(|c| *c != BuiltinOperator::CUSTOM) {
        let e = microlite::Error::UnsupportedOp {
            op: 0,
            code: c.0,
            version: 1,
        };
        let text = e.to_string();
        let name = BuiltinOperator::name_of(c.0).unwrap().to_ascii_lowercase();
        assert!(text.contains(&format!("add_{name}")), "{text}");
    }
    let lookup = microlite::Error::UnsupportedOp {
        op: 0,
        code: 10,
        version: 1,
    }; // HASHTABLE_LOOKUP
    assert!(lookup.to_string().contains("unsupported op"), "{lookup}");
}
