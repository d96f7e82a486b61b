// Test-only oracle: Porcupine's verdict on Ordinal history.jsonl files, to check Ordinal's
// own linearizability checker against (test/unit/checkers/linearizable-oracle.spec.ts) and to
// compare their speed (bench/linearizability.ts). Never shipped.
//
// Usage: porcupine [-timeout 60s] history.jsonl...
// One line per file: <file> <Ok|Illegal|Unknown> <check ms> <peak RSS KiB so far> <check CPU ms>.
// The history is paired here, independently of Ordinal's TypeScript: fail operations are
// left out, info ones (and invocations never completed) return at +infinity.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"syscall"
	"time"

	"github.com/anishathalye/porcupine"
)

type event struct {
	Process int64           `json:"process"`
	Type    string          `json:"type"`
	F       string          `json:"f"`
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
	Time    int64           `json:"time"`
}

type input struct {
	f, key, a, b string
}

type output struct {
	known bool
	value string
}

// scalar turns a JSON scalar into a comparable string ("nil" for null).
func scalar(raw json.RawMessage) string {
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return "nil"
	}
	switch x := v.(type) {
	case string:
		return "s:" + x
	case float64:
		return fmt.Sprintf("n:%v", x)
	}
	return "?" + string(raw)
}

func opInput(e event) input {
	if e.F == "cas" {
		var pair []json.RawMessage
		if err := json.Unmarshal(e.Value, &pair); err != nil || len(pair) != 2 {
			panic(fmt.Sprintf("bad cas value %s", e.Value))
		}
		return input{f: "cas", key: e.Key, a: scalar(pair[0]), b: scalar(pair[1])}
	}
	if e.F == "write" {
		return input{f: "write", key: e.Key, a: scalar(e.Value)}
	}
	return input{f: e.F, key: e.Key}
}

func load(path string) []porcupine.Operation {
	file, err := os.Open(path)
	if err != nil {
		panic(err)
	}
	defer file.Close()
	pending := map[int64]porcupine.Operation{}
	var ops []porcupine.Operation
	scanner := bufio.NewScanner(file)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			panic(fmt.Sprintf("%s: %v", path, err))
		}
		if e.Type == "invoke" {
			pending[e.Process] = porcupine.Operation{ClientId: int(e.Process), Input: opInput(e), Call: e.Time}
			continue
		}
		op := pending[e.Process]
		delete(pending, e.Process)
		switch e.Type {
		case "ok":
			op.Output = output{known: true, value: scalar(e.Value)}
			op.Return = e.Time
		case "info":
			op.Output = output{}
			op.Return = math.MaxInt64
		default:
			continue
		}
		ops = append(ops, op)
	}
	for _, op := range pending {
		op.Output = output{}
		op.Return = math.MaxInt64
		ops = append(ops, op)
	}
	return ops
}

var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, op := range history {
			k := op.Input.(input).key
			if _, seen := byKey[k]; !seen {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		var parts [][]porcupine.Operation
		for _, k := range order {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() interface{} { return "nil" },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		s, i, o := state.(string), in.(input), out.(output)
		switch i.f {
		case "write":
			return true, i.a
		case "read":
			return !o.known || o.value == s, s
		default: // cas: applied means executed, so an unknown one swaps only on a match
			if s == i.a {
				return true, i.b
			}
			return !o.known, s
		}
	},
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		h.Write([]byte(state.(string)))
		return h.Sum64()
	},
}

func main() {
	timeout := flag.Duration("timeout", 0, "give up (Unknown) after this long per history; 0: no limit")
	flag.Parse()
	for _, path := range flag.Args() {
		ops := load(path)
		var before, after syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
		start := time.Now()
		result := porcupine.CheckOperationsTimeout(registerModel, ops, *timeout)
		elapsed := time.Since(start)
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
		fmt.Printf("%s %s %.3f %d %.3f\n", path, result, float64(elapsed.Microseconds())/1000, after.Maxrss, float64(cpu.Microseconds())/1000)
	}
}
