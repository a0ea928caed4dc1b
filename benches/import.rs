//! Import of a generated 300-resource CloudFormation template (the target is under 100 ms).

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};

fn template() -> String {
    let mut t = String::from("Resources:\n");
    for i in 0..75 {
        t.push_str(&format!(
            "  Queue{i}x:\n    Type: AWS::SQS::Queue\n  Table{i}x:\n    Type: AWS::DynamoDB::Table\n  Fn{i}xRole:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n        - PolicyName: p\n          PolicyDocument:\n            Statement:\n              - {{ Effect: Allow, Action: [dynamodb:GetItem, dynamodb:PutItem], Resource: !GetAtt Table{i}x.Arn }}\n  Fn{i}x:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !GetAtt Fn{i}xRole.Arn\n      Environment: {{ Variables: {{ Q: !Ref Queue{i}x }} }}\n"
        ));
    }
    t
}

fn bench(c: &mut Criterion) {
    let files = BTreeMap::from([("big.yaml".to_string(), template())]);
    c.bench_function("import 300 resources", |b| {
        b.iter(|| archpat::import::import_files("big.yaml", "big", &files).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
