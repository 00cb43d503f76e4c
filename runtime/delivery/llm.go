package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// maxLLMResponse caps the answer read from the model server.
const maxLLMResponse = 1 << 20

const chatCompletionsPath = "/chat/completions"

// httpLLM calls an OpenAI-compatible chat completions endpoint (OpenAI, Ollama, llama.cpp, vLLM, LiteLLM...).
type httpLLM struct {
	endpoint string // GBHOOK_LLM_URL + /chat/completions
	model    string
	apiKey   string
	timeout  time.Duration
	client   *http.Client
	redact   func(string) string
}

func newHTTPLLM(baseURL, model, apiKey string, timeout time.Duration, redact func(string) string) (*httpLLM, error) {
	if _, err := parseHTTPURL(baseURL); err != nil {
		return nil, fmt.Errorf("delivery: GBHOOK_LLM_URL: %w", err)
	}
	if model == "" {
		return nil, errors.New("delivery: GBHOOK_LLM_URL is set but GBHOOK_LLM_MODEL is not")
	}
	endpoint := strings.TrimRight(baseURL, "/")
	// GBHOOK_LLM_URL is a base URL, but a pasted full endpoint is an easy mistake to forgive.
	if !strings.HasSuffix(endpoint, chatCompletionsPath) {
		endpoint += chatCompletionsPath
	}
	return &httpLLM{endpoint: endpoint, model: model, apiKey: apiKey, timeout: timeout, client: newHTTPClient(),
		redact: redact}, nil
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
	Stream   bool          `json:"stream"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Complete sends prompt as a single user message and returns the first choice's content.
func (l *httpLLM) Complete(ctx context.Context, prompt string) (string, error) {
	body, err := json.Marshal(chatRequest{Model: l.model, Messages: []chatMessage{{Role: "user", Content: prompt}}})
	if err != nil {
		return "", fmt.Errorf("llm: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.endpoint, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("llm: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if l.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+l.apiKey)
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return "", &TransientError{Service: "llm", Err: l.errorf("%w", err)}
	}
	defer resp.Body.Close()
	raw, err := readCapped(resp.Body, maxLLMResponse)
	if errors.Is(err, errTooLarge) {
		return "", l.errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if err != nil {
		return "", &TransientError{Service: "llm", Err: l.errorf("reading response: %w", err)}
	}
	return l.answer(resp.StatusCode, raw)
}

func (l *httpLLM) answer(status int, raw []byte) (string, error) {
	var cr chatResponse
	jsonErr := json.Unmarshal(raw, &cr)
	if status/100 != 2 {
		msg := httpStatusText(status, raw)
		if cr.Error != nil && cr.Error.Message != "" {
			msg = fmt.Sprintf("HTTP %d %s: %s", status, http.StatusText(status), cr.Error.Message)
		}
		err := l.errorf("%s", msg)
		if status >= 500 || status == http.StatusTooManyRequests {
			return "", &TransientError{Service: "llm", Err: err}
		}
		return "", err
	}
	if jsonErr != nil {
		return "", l.errorf("response is not chat completion JSON: %w", jsonErr)
	}
	if len(cr.Choices) == 0 {
		return "", l.errorf("response has no choices")
	}
	return cr.Choices[0].Message.Content, nil
}

// errorf prefixes "llm: " and keeps secrets out of the text.
func (l *httpLLM) errorf(format string, args ...any) error {
	return &redactedError{prefix: "llm: ", err: fmt.Errorf(format, args...), redact: l.redact}
}

// unconfiguredLLM is what FromEnv returns without GBHOOK_LLM_URL: scripts still load, and the first LLM call says
// exactly what is missing.
type unconfiguredLLM struct{}

func (unconfiguredLLM) Complete(context.Context, string) (string, error) {
	return "", errors.New("llm: not configured: set GBHOOK_LLM_URL (an OpenAI-compatible base URL, " +
		"e.g. http://localhost:11434/v1) and GBHOOK_LLM_MODEL")
}
