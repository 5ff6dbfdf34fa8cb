// Package logx builds the zap logger every service uses: JSON for machines,
// console for a person at a terminal, with one shared set of field keys.
package logx

import (
	"fmt"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Shared field keys, so logs of all services can be queried alike.
const (
	KeyService    = "service"
	KeyFeedURL    = "feed_url"
	KeyArticleURL = "article_url"
	KeyArticleID  = "article_id"
	KeySubject    = "subject"
	KeyStreamSeq  = "stream_seq"
	KeyStage      = "stage"
)

// New returns a logger writing to stderr. format is json, console or auto
// (console when stderr is a terminal).
func New(service, level, format string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("logx: level %q: %w", level, err)
	}
	switch format {
	case "auto", "":
		format = "json"
		if isTerminal(os.Stderr) {
			format = "console"
		}
	case "json", "console":
	default:
		return nil, fmt.Errorf("logx: format %q: want json, console or auto", format)
	}
	encCfg := zap.NewProductionEncoderConfig()
	encCfg.TimeKey = "ts"
	encCfg.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if format == "console" {
		encCfg.EncodeLevel = zapcore.CapitalColorLevelEncoder
		encCfg.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		enc = zapcore.NewConsoleEncoder(encCfg)
	} else {
		enc = zapcore.NewJSONEncoder(encCfg)
	}
	core := zapcore.NewCore(enc, zapcore.Lock(os.Stderr), lvl)
	return zap.New(core, zap.AddCaller(), zap.ErrorOutput(zapcore.Lock(os.Stderr))).With(zap.String(KeyService, service)), nil
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
