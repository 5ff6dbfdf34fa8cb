// Package deploycheck holds the tests that keep deploy/ honest. Docker and
// Kubernetes cannot run on the development machine, so the tests read the
// files and check them against the code instead:
//
//   - dockerfile_test.go: deploy/Dockerfile builds any service (ARG SVC),
//     statically, from the modules the service's go.mod replaces, and runs
//     it as a non-root user on the port the services listen on.
//   - compose_test.go: deploy/compose.yaml has the four services, a
//     three-node JetStream cluster and PostgreSQL; services are configured
//     only through NEWSFLOW_* names from docs/configuration.md's tables; and
//     deploy/nats/cluster.conf is accepted by the embedded nats-server.
//   - k8s_test.go: deploy/k8s has a Deployment and a PodDisruptionBudget
//     per service, probes and metrics on the listening port, every
//     ConfigMap, Secret and key that is referenced, the NATS Helm values,
//     and one KEDA ScaledObject per consuming stage on the stream and
//     consumer that pkg/schema names.
//   - dashboard_test.go: every newsflow_* metric the Grafana dashboard
//     queries is registered by a service.
//   - files_test.go: locating and reading the files; docs/configuration.md's
//     configuration tables (between <!-- env:NAME --> markers, generated
//     from the services' config tables and checked by their tests).
package deploycheck
