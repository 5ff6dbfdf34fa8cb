package bus

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the messaging metrics of a service.
type Metrics struct {
	processed      *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	deadLetters    *prometheus.CounterVec
	published      *prometheus.CounterVec
	publishRetries *prometheus.CounterVec
	inFlight       *prometheus.GaugeVec
}

// NewMetrics registers the messaging metrics in reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_messages_total",
			Help: "Messages handled by a stage, by result: ok, filtered, retry, dead_letter.",
		}, []string{"stage", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "newsflow_process_seconds",
			Help:    "Time to process one message (or one batch for the sink), publish included.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"stage"}),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_dead_letters_total",
			Help: "Messages sent to the dead-letter stream, by stage and reason.",
		}, []string{"stage", "reason"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_published_total",
			Help: "Messages acknowledged by JetStream, by subject; duplicate means de-duplicated by Nats-Msg-Id.",
		}, []string{"subject", "result"}),
		publishRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "newsflow_publish_retries_total",
			Help: "Publish attempts that failed and were retried.",
		}, []string{"subject"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "newsflow_in_flight",
			Help: "Messages being processed now.",
		}, []string{"stage"}),
	}
	reg.MustRegister(m.processed, m.duration, m.deadLetters, m.published, m.publishRetries, m.inFlight)
	return m
}
