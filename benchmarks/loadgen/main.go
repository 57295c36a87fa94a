// Command loadgen sends HTTP/1.1 POST requests at a fixed rate (open loop: each request is due at its
// time whether or not earlier ones answered) over a pool of keep-alive connections, and prints latency
// percentiles measured from the moment each request was due, so a stalled server is not hidden
// (no coordinated omission). It writes pre-encoded bytes and reads responses by Content-Length, which
// keeps its own CPU cost low: on a two-core machine the generator competes with the server it measures.
//
//	go run . -addr 127.0.0.1:8000 -path /v1/predict -body record.json -header 'Authorization: Bearer K' -rate 1000 -duration 20s
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

type conn struct {
	c net.Conn
	r *bufio.Reader
}

type result struct {
	latency time.Duration
	status  int
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8000", "host:port of the server")
	path := flag.String("path", "/v1/predict", "request path")
	bodyFile := flag.String("body", "", "file with the JSON request body")
	rate := flag.Float64("rate", 1000, "requests per second")
	duration := flag.Duration("duration", 20*time.Second, "how long to send")
	warmup := flag.Duration("warmup", 3*time.Second, "sent at the same rate first, not counted")
	maxConns := flag.Int("conns", 64, "connections at most")
	var headers headerList
	flag.Var(&headers, "header", "extra request header (repeatable)")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: -body:", err)
		os.Exit(2)
	}
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", *path, *addr, len(body))
	for _, h := range headers {
		fmt.Fprintf(&req, "%s\r\n", h)
	}
	req.WriteString("\r\n")
	req.Write(body)
	request := req.Bytes()

	idle := make(chan *conn, *maxConns)
	slots := make(chan struct{}, *maxConns)
	for i := 0; i < *maxConns; i++ {
		slots <- struct{}{}
	}
	acquire := func() (*conn, error) {
		select {
		case c := <-idle:
			return c, nil
		default:
		}
		select {
		case c := <-idle:
			return c, nil
		case <-slots:
			c, err := net.Dial("tcp", *addr)
			if err != nil {
				slots <- struct{}{}
				return nil, err
			}
			return &conn{c: c, r: bufio.NewReaderSize(c, 64*1024)}, nil
		}
	}

	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / *rate)
	total := int((*warmup + *duration).Seconds() * *rate)
	warm := int(warmup.Seconds() * *rate)
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		counted := i >= warm
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := 0
			c, err := acquire()
			if err == nil {
				status, err = roundTrip(c, request)
				if err != nil {
					c.c.Close()
					slots <- struct{}{}
				} else {
					idle <- c
				}
			}
			if counted {
				mu.Lock()
				results = append(results, result{latency: time.Since(due), status: status})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start.Add(*warmup))
	report(results, elapsed, *rate)
}

// roundTrip writes one request and reads its response (status line, headers, Content-Length body).
func roundTrip(c *conn, request []byte) (int, error) {
	if _, err := c.c.Write(request); err != nil {
		return 0, err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, _ := strconv.Atoi(fields[1])
	length := -1
	for {
		h, err := c.r.ReadString('\n')
		if err != nil {
			return status, err
		}
		h = strings.TrimRight(h, "\r\n")
		if h == "" {
			break
		}
		if k, v, ok := strings.Cut(h, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "content-length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if length < 0 {
		return status, fmt.Errorf("no Content-Length in the response")
	}
	_, err = io.CopyN(io.Discard, c.r, int64(length))
	return status, err
}

func report(results []result, elapsed time.Duration, rate float64) {
	latencies := make([]time.Duration, 0, len(results))
	errors := 0
	for _, r := range results {
		if r.status < 200 || r.status > 299 {
			errors++
		}
		latencies = append(latencies, r.latency)
	}
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	q := func(p float64) string {
		if len(latencies) == 0 {
			return "n/a"
		}
		i := int(p * float64(len(latencies)))
		if i >= len(latencies) {
			i = len(latencies) - 1
		}
		return fmt.Sprintf("%.2f", float64(latencies[i].Microseconds())/1000)
	}
	fmt.Printf("target %.0f req/s: %d requests, %d errors, achieved %.0f req/s; latency ms p50 %s p90 %s p99 %s p99.9 %s max %s\n",
		rate, len(results), errors, float64(len(results))/elapsed.Seconds(), q(0.5), q(0.9), q(0.99), q(0.999), q(1))
}
