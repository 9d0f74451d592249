// RunPlugin for the v3.68.0 Node.js language host that scripts/tools.sh builds
// (the host's own RunPlugin is renamed away at build time; see docs/tools.md).
//
// The v3.229 engine starts a policy pack whose PulumiPolicy.yaml says
// `runtime: nodejs` by asking this host to RunPlugin it. The v3.68 host
// answered "not supported", so `pulumi preview --policy-pack` could not start
// Node.js packs. This runs the pack the way the legacy pulumi-analyzer-policy
// script does: `node <@pulumi/pulumi/cmd/run-policy-pack> <engine> .` in the
// pack's directory, and streams its output back to the engine.

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RunPlugin fields the v3.68 generated code does not know, so they arrive as
// unknown fields: RunPluginRequest.info (5, a ProgramInfo) and .kind (6), and
// ProgramInfo.program_directory (2).
const (
	runPluginInfoField     protowire.Number = 5
	runPluginKindField     protowire.Number = 6
	programInfoProgramDir  protowire.Number = 2
	runPolicyPackModule                     = "@pulumi/pulumi/cmd/run-policy-pack"
	runPolicyPackResolveJS                  = `process.stdout.write(require.resolve("` + runPolicyPackModule + `"))`
)

// stringFields returns the length-delimited fields of a protobuf message as
// field number -> bytes (the last occurrence wins, as in proto3).
func stringFields(b []byte) (map[protowire.Number][]byte, error) {
	fields := map[protowire.Number][]byte{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		b = b[n:]
		if typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			fields[num] = v
			n = m
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return nil, protowire.ParseError(n)
			}
		}
		b = b[n:]
	}
	return fields, nil
}

// pluginKindAndDir reads the plugin kind and the plugin's directory (the policy
// pack for analyzers) from the request; the directory falls back to req.Pwd,
// which the v3.229 engine sets to the *program's* directory, not the pack's.
func pluginKindAndDir(req *pulumirpc.RunPluginRequest) (string, string, error) {
	fields, err := stringFields(req.ProtoReflect().GetUnknown())
	if err != nil {
		return "", "", fmt.Errorf("parsing RunPluginRequest: %w", err)
	}
	dir := req.GetPwd()
	if info, ok := fields[runPluginInfoField]; ok {
		infoFields, err := stringFields(info)
		if err != nil {
			return "", "", fmt.Errorf("parsing RunPluginRequest.info: %w", err)
		}
		if d := string(infoFields[programInfoProgramDir]); d != "" {
			dir = d
		}
	}
	return string(fields[runPluginKindField]), dir, nil
}

// lockedSender serialises Send calls: a gRPC stream allows one sender at a time.
type lockedSender struct {
	mu     sync.Mutex
	server pulumirpc.LanguageRuntime_RunPluginServer
}

func (s *lockedSender) send(resp *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.server.Send(resp)
}

// forward copies r to the engine chunk by chunk (the engine reads the plugin's
// port from the first line of stdout, so nothing may wait for EOF).
func (s *lockedSender) forward(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) error {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if serr := s.send(wrap(bytes.Clone(buf[:n]))); serr != nil {
				_, _ = io.Copy(io.Discard, r) // keep node from blocking on a full pipe
				return serr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func (host *nodeLanguageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	kind, dir, err := pluginKindAndDir(req)
	if err != nil {
		return err
	}
	logging.V(5).Infof("RunPlugin: kind=%q dir=%q pwd=%q args=%q", kind, dir, req.GetPwd(), req.GetArgs())
	// Only policy packs: Node.js resource plugins (PulumiPlugin.yaml) stay unsupported.
	// An empty kind comes from an engine that predates the field; it only ran analyzers this way.
	if kind != "analyzer" && kind != "" {
		return fmt.Errorf("running %q plugins written in Node.js is not supported by this language host", kind)
	}
	// The engine address is the last argument: with --logflow or --tracing the
	// engine puts "--logtostderr", "-v=N", "--tracing <url>" before it.
	args := req.GetArgs()
	if len(args) == 0 {
		return errors.New("RunPlugin: missing the engine address argument")
	}
	engineAddress := args[len(args)-1]

	// Resolve run-policy-pack the way Node.js would from the pack's directory,
	// so the @pulumi/pulumi the pack depends on is used (node_modules may sit
	// in a parent directory, as in a monorepo).
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on PATH: %w", err)
	}
	sender := &lockedSender{server: server}
	resolve := exec.CommandContext(server.Context(), nodeBin, "-e", runPolicyPackResolveJS)
	resolve.Dir = dir
	var resolveErr bytes.Buffer
	resolve.Stderr = &resolveErr
	runPolicyPack, err := resolve.Output()
	if err != nil || len(runPolicyPack) == 0 {
		// Hand node's "Error: Cannot find module '@pulumi/pulumi/cmd/run-policy-pack'"
		// line (not its stack) to the engine as the plugin's stderr: the engine
		// recognises it and says to run npm install in the pack.
		msg := resolveErr.String()
		if i := strings.Index(msg, "Error: "); i >= 0 {
			msg, _, _ = strings.Cut(msg[i:], "\n")
		}
		if err := sender.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{
			Stderr: []byte(fmt.Sprintf("resolving %s from %s (%v): %s\n", runPolicyPackModule, dir, err, msg)),
		}}); err != nil {
			return err
		}
		return sender.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: 1}})
	}

	// The argv pulumi-analyzer-policy gets from the engine: engine address, then "."
	// (the pack's directory, which is the working directory).
	// CommandContext kills node when the engine ends the stream (cancellation, shutdown).
	cmd := exec.CommandContext(server.Context(), nodeBin, string(runPolicyPack), engineAddress, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...) // later entries win
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", runPolicyPackModule, err)
	}

	var wg sync.WaitGroup
	var stdoutErr, stderrErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		stdoutErr = sender.forward(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
			return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
		})
	}()
	go func() {
		defer wg.Done()
		stderrErr = sender.forward(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
			return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
		})
	}()
	wg.Wait() // the pipes must be drained before Wait closes them
	waitErr := cmd.Wait()

	if err := server.Context().Err(); err != nil {
		return err // the engine is gone; nobody to report an exit code to
	}
	if err := errors.Join(stdoutErr, stderrErr); err != nil {
		return err
	}
	code := 0
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		code = exitErr.ExitCode() // -1 if killed by a signal
	} else if waitErr != nil {
		return waitErr
	}
	return sender.send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}
