package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// DeadLetter is a message a stage gave up on.
type DeadLetter struct {
	Seq        uint64    `json:"seq"` // sequence in the dead-letter stream
	Stage      string    `json:"stage"`
	Reason     string    `json:"reason"`
	Error      string    `json:"error"`
	Subject    string    `json:"subject"`
	Stream     string    `json:"stream"`
	StreamSeq  uint64    `json:"stream_seq"`
	Deliveries uint64    `json:"deliveries"`
	FailedAt   time.Time `json:"failed_at"`
	Data       []byte    `json:"-"`
}

// Output is the dead letter as a message: headers describe the failure, the
// body is the original payload untouched.
func (d DeadLetter) Output() Output {
	h := nats.Header{}
	h.Set(schema.HeaderDLQStage, d.Stage)
	h.Set(schema.HeaderDLQError, truncate(d.Reason+": "+d.Error, 4000))
	h.Set(schema.HeaderDLQSubject, d.Subject)
	h.Set(schema.HeaderDLQStream, d.Stream)
	h.Set(schema.HeaderDLQStreamSeq, seqString(d.StreamSeq))
	h.Set(schema.HeaderDLQDeliveries, strconv.FormatUint(d.Deliveries, 10))
	h.Set(schema.HeaderDLQTime, time.Now().UTC().Format(time.RFC3339Nano))
	return Output{
		Subject: schema.DeadLetterSubject(d.Stage),
		Data:    d.Data,
		MsgID:   "dlq:" + d.Stream + ":" + seqString(d.StreamSeq),
		Header:  h,
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func fromRaw(seq uint64, h nats.Header, data []byte) DeadLetter {
	d := DeadLetter{Seq: seq, Data: data}
	d.Stage = h.Get(schema.HeaderDLQStage)
	d.Reason, d.Error = splitReason(h.Get(schema.HeaderDLQError))
	d.Subject = h.Get(schema.HeaderDLQSubject)
	d.Stream = h.Get(schema.HeaderDLQStream)
	d.StreamSeq, _ = strconv.ParseUint(h.Get(schema.HeaderDLQStreamSeq), 10, 64)
	d.Deliveries, _ = strconv.ParseUint(h.Get(schema.HeaderDLQDeliveries), 10, 64)
	d.FailedAt, _ = time.Parse(time.RFC3339Nano, h.Get(schema.HeaderDLQTime))
	return d
}

func splitReason(s string) (string, string) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ':' && s[i+1] == ' ' {
			return s[:i], s[i+2:]
		}
	}
	return "", s
}

// ListDeadLetters returns the dead letters of stage ("" for all), oldest
// first, at most limit (0: no limit).
func ListDeadLetters(ctx context.Context, js jetstream.JetStream, stage string, limit int) ([]DeadLetter, error) {
	stream, err := js.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		return nil, fmt.Errorf("bus: dead-letter stream: %w", err)
	}
	subject := schema.SubjectDeadLetterPrefix + ".>"
	if stage != "" {
		subject = schema.DeadLetterSubject(stage)
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("bus: dead-letter stream info: %w", err)
	}
	var out []DeadLetter
	seq := info.State.FirstSeq
	for seq > 0 && seq <= info.State.LastSeq {
		raw, err := stream.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("bus: dead letter after seq %d: %w", seq, err)
		}
		out = append(out, fromRaw(raw.Sequence, raw.Header, raw.Data))
		if limit > 0 && len(out) >= limit {
			break
		}
		seq = raw.Sequence + 1
	}
	return out, nil
}

// GetDeadLetter returns one dead letter by its sequence.
func GetDeadLetter(ctx context.Context, js jetstream.JetStream, seq uint64) (DeadLetter, error) {
	stream, err := js.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("bus: dead-letter stream: %w", err)
	}
	raw, err := stream.GetMsg(ctx, seq)
	if err != nil {
		return DeadLetter{}, fmt.Errorf("bus: dead letter %d: %w", seq, err)
	}
	return fromRaw(raw.Sequence, raw.Header, raw.Data), nil
}

// Redrive publishes a dead letter's payload back to its original subject
// and removes it from the dead-letter stream.
func Redrive(ctx context.Context, conn *Conn, pub *Publisher, seq uint64) error {
	d, err := GetDeadLetter(ctx, conn.JS, seq)
	if err != nil {
		return err
	}
	if d.Subject == "" {
		return fmt.Errorf("bus: dead letter %d has no original subject", seq)
	}
	// A new Msg-Id: the original one may still sit in the dedup window.
	out := Output{Subject: d.Subject, Data: d.Data, MsgID: fmt.Sprintf("redrive:%d:%d", seq, time.Now().UnixNano())}
	if _, err := pub.Publish(ctx, out); err != nil {
		return fmt.Errorf("bus: redrive %d: %w", seq, err)
	}
	stream, err := conn.JS.Stream(ctx, schema.StreamDeadLetter)
	if err != nil {
		return fmt.Errorf("bus: dead-letter stream: %w", err)
	}
	if err := stream.DeleteMsg(ctx, seq); err != nil {
		return fmt.Errorf("bus: redrive %d: published, but not removed from the dead-letter stream: %w", seq, err)
	}
	return nil
}
