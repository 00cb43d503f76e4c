REM The reply to an incoming WhatsApp message. With GBHOOK_LLM_URL (and
REM GBHOOK_LLM_MODEL) set, an OpenAI-compatible model writes it; otherwise
REM a canned reply keeps the flow working end to end.

FUNCTION GENERATE RESPONSE TEXT$
  IF GET ENV "GBHOOK_LLM_URL" <> "" THEN
    RETURN LLM "You are a helpful assistant answering a WhatsApp message in one or two short sentences. The message: " + TEXT$
  END IF
  RETURN "Thanks for your message! You said: " + TEXT$
END FUNCTION
