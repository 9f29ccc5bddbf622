// An FC Go event function (runtime go1), written as for Function Compute with the official fc-runtime-go-sdk:
// JSON in, JSON out, an initializer that runs once per instance, and the request's logger.
package main

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/aliyun/fc-runtime-go-sdk/fc"
	"github.com/aliyun/fc-runtime-go-sdk/fccontext"
)

type Event struct {
	Name string `json:"name"`
}

type Reply struct {
	Message     string `json:"message"`
	RequestID   string `json:"requestId"`
	Invocations int64  `json:"invocationsOnThisInstance"`
}

var invocations int64

func initialize(ctx context.Context) {
	fctx, _ := fccontext.FromContext(ctx)
	fctx.GetLogger().Info("go1 initialized")
}

func handle(ctx context.Context, event Event) (Reply, error) {
	fctx, _ := fccontext.FromContext(ctx)
	name := event.Name
	if name == "" {
		name = "world"
	}
	fctx.GetLogger().Infof("go1 handled %s", name)
	return Reply{
		Message:     fmt.Sprintf("Hello, %s!", name),
		RequestID:   fctx.RequestID,
		Invocations: atomic.AddInt64(&invocations, 1),
	}, nil
}

func main() {
	fc.RegisterInitializerFunction(initialize)
	fc.Start(handle)
}
