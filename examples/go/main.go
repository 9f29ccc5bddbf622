// A Function Compute custom runtime in Go, standard library only: an HTTP server on $FC_SERVER_PORT.
// POST /initialize runs once per instance (the function has an Initializer); POST /invoke gets the event.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"time"
)

// logLine prints `<ISO time> <requestId> [INFO] message`, the form Kumo (and FC) attribute to a request.
func logLine(r *http.Request, format string, args ...any) {
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	fmt.Printf("%s %s [INFO] %s\n", now, r.Header.Get("X-Fc-Request-Id"), fmt.Sprintf(format, args...))
}

// fail answers the way FC expects a custom runtime to report a function error.
func fail(w http.ResponseWriter, message string) {
	body, _ := json.Marshal(map[string]string{"errorMessage": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-fc-status", "404")
	w.WriteHeader(http.StatusNotFound)
	w.Write(body)
}

func main() {
	port := os.Getenv("FC_SERVER_PORT")
	if port == "" {
		port = "9000"
	}

	http.HandleFunc("/initialize", func(w http.ResponseWriter, r *http.Request) {
		logLine(r, "go initialized")
		w.WriteHeader(http.StatusOK)
	})

	http.HandleFunc("/invoke", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			fail(w, "cannot read the event: "+err.Error())
			return
		}
		event := string(body)
		if event == "" {
			event = "world"
		}
		logLine(r, "go handled %s", event)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Hello, %s! from go", event)
	})

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, "unknown path "+r.URL.Path)
	})

	fmt.Printf("FunctionCompute go runtime inited on port %s.\n", port)
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, nil))
}
