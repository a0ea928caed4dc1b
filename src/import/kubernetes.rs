//! Kubernetes manifests beside the infrastructure code (an EKS project's `k8s/*.yaml`): workloads
//! (Deployments, StatefulSets, DaemonSets), the Services that select them, and the Ingresses the
//! AWS Load Balancer Controller turns into an Application Load Balancer (one per ingress group).
//! They become resources of types `Kubernetes::<Kind>`, which kinds list under
//! `imports.kubernetes`; a Service is a bridge between the load balancer and its workload, and a
//! workload naming another's Service in its environment (`http://users.default.svc…`) references
//! it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Resource;

const WORKLOADS: [&str; 3] = ["Deployment", "StatefulSet", "DaemonSet"];

/// The manifests among `files` (YAML documents with `apiVersion` and `kind`), as resources.
pub(crate) fn resources(files: &BTreeMap<String, String>) -> Vec<Resource> {
    let mut docs: Vec<(String, Value)> = Vec::new();
    for (file, text) in files {
        if !(file.ends_with(".yaml") || file.ends_with(".yml")) || !text.contains("apiVersion") {
            continue;
        }
        let Ok(list) = serde_saphyr::from_multiple::<Value>(text) else {
            continue;
        };
        for d in list {
            if d.get("apiVersion").is_some() && d.get("kind").and_then(Value::as_str).is_some() {
                docs.push((file.clone(), d));
            }
        }
    }
    let name = |d: &Value| {
        d.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("unnamed")
            .to_string()
    };
    let labels_of = |d: &Value| {
        d.pointer("/spec/template/metadata/labels")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    // Service name → the workload its selector picks.
    let mut service_target: BTreeMap<String, String> = BTreeMap::new();
    for (_, d) in docs.iter().filter(|(_, d)| d["kind"] == "Service") {
        let selector = d.pointer("/spec/selector").and_then(Value::as_object);
        if let Some(sel) = selector
            && let Some((_, w)) = docs.iter().find(|(_, w)| {
                WORKLOADS.contains(&w["kind"].as_str().unwrap_or(""))
                    && !sel.is_empty()
                    && sel.iter().all(|(k, v)| labels_of(w).get(k) == Some(v))
            })
        {
            service_target.insert(name(d), format!("Deployment.{}", name(w)));
        }
    }
    let mut out = Vec::new();
    let mut groups: BTreeMap<String, (String, Vec<Value>, String)> = BTreeMap::new();
    for (file, d) in &docs {
        let kind = d["kind"].as_str().unwrap_or("");
        let n = name(d);
        if WORKLOADS.contains(&kind) {
            // Environment values that name another workload's Service are references to it.
            let mut env = Vec::new();
            for c in d
                .pointer("/spec/template/spec/containers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                    let v = e.get("value").and_then(Value::as_str).unwrap_or("");
                    for (svc, target) in &service_target {
                        let host = v.split("://").nth(1).unwrap_or(v);
                        if host.starts_with(&format!("{svc}."))
                            || host.starts_with(&format!("{svc}:"))
                        {
                            env.push(json!({ "Ref": target }));
                        }
                    }
                }
            }
            let account = d
                .pointer("/spec/template/spec/serviceAccountName")
                .and_then(Value::as_str)
                .unwrap_or("default");
            out.push(Resource {
                id: format!("Deployment.{n}"),
                ty: format!("Kubernetes::{kind}"),
                props: json!({ "Environment": env, "ServiceAccountName": account }),
                file: file.clone(),
                line: None,
                path: None,
                when: None,
            });
        } else if kind == "Service" {
            let target = service_target.get(&n).map(|t| json!({ "Ref": t }));
            out.push(Resource {
                id: format!("Service.{n}"),
                ty: "Kubernetes::Service".into(),
                props: json!({ "Selector": target }),
                file: file.clone(),
                line: None,
                path: None,
                when: None,
            });
        } else if kind == "Ingress" {
            let annotations = d
                .pointer("/metadata/annotations")
                .cloned()
                .unwrap_or(Value::Null);
            let group = annotations
                .get("alb.ingress.kubernetes.io/group.name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| n.clone());
            let scheme = annotations
                .get("alb.ingress.kubernetes.io/scheme")
                .and_then(Value::as_str)
                .unwrap_or("internal")
                .to_string();
            let entry = groups
                .entry(group)
                .or_insert_with(|| (file.clone(), Vec::new(), scheme));
            let mut stack = vec![d.get("spec").cloned().unwrap_or(Value::Null)];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Object(o) => {
                        if let Some(s) = o
                            .get("service")
                            .and_then(|s| s.get("name"))
                            .and_then(Value::as_str)
                        {
                            entry.1.push(json!({ "Ref": format!("Service.{s}") }));
                        }
                        stack.extend(o.into_iter().map(|(_, v)| v));
                    }
                    Value::Array(a) => stack.extend(a),
                    _ => {}
                }
            }
        }
    }
    for (group, (file, backends, scheme)) in groups {
        out.push(Resource {
            id: format!("Ingress.{group}"),
            ty: "Kubernetes::Ingress".into(),
            props: json!({ "Scheme": scheme, "Backends": backends }),
            file,
            line: None,
            path: None,
            when: None,
        });
    }
    out
}

/// EKS Pod Identity: an association of an IAM role with a service account makes that role the
/// role of the workloads that run as the account, so its statements become their connections.
pub(crate) fn link_pod_identities(resources: &mut [Resource]) {
    let links: Vec<(String, String)> = resources
        .iter()
        .filter(|r| r.ty == "AWS::EKS::PodIdentityAssociation")
        .filter_map(|r| {
            let account = r
                .props
                .get("ServiceAccount")
                .or(r.props.get("service_account"))
                .and_then(Value::as_str)?;
            Some((account.to_string(), r.id.clone()))
        })
        .collect();
    for r in resources
        .iter_mut()
        .filter(|r| r.ty.starts_with("Kubernetes::"))
    {
        let account = r
            .props
            .get("ServiceAccountName")
            .and_then(Value::as_str)
            .unwrap_or("");
        let ids: Vec<Value> = links
            .iter()
            .filter(|(a, _)| a == account)
            .map(|(_, id)| json!({ "Ref": id }))
            .collect();
        if !ids.is_empty() {
            r.props["PodIdentity"] = Value::Array(ids);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workloads_services_and_ingress_groups() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: orders }\nspec:\n  template:\n    metadata: { labels: { app: orders } }\n    spec:\n      serviceAccountName: orders\n      containers:\n        - name: app\n          env: [{ name: U, value: \"http://users.default.svc.cluster.local\" }]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: users }\nspec:\n  template:\n    metadata: { labels: { app: users } }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: users }\nspec: { selector: { app: users } }\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations: { alb.ingress.kubernetes.io/scheme: internet-facing }\nspec:\n  rules: [{ http: { paths: [{ backend: { service: { name: users } } }] } }]\n";
        let files = BTreeMap::from([("k8s/app.yaml".to_string(), text.to_string())]);
        let r = resources(&files);
        let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Deployment.orders",
                "Deployment.users",
                "Service.users",
                "Ingress.web"
            ]
        );
        assert_eq!(
            r[0].props["Environment"][0],
            json!({"Ref": "Deployment.users"})
        );
        assert_eq!(r[2].props["Selector"], json!({"Ref": "Deployment.users"}));
        assert_eq!(r[3].props["Scheme"], "internet-facing");
        assert_eq!(r[3].props["Backends"][0], json!({"Ref": "Service.users"}));
    }
}
