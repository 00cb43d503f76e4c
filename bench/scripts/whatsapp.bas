REM Meta WhatsApp webhook. FROM WHATSAPP makes gbhook verify
REM X-Hub-Signature-256 over the raw body (META_APP_SECRET) before running.
REM Meta retries any non-200 answer for days, so answer 200 quickly and do
REM the slow work (the reply) in a SPAWNed SUB after the response.

ON WEBHOOK POST TO "/webhooks/whatsapp" FROM WHATSAPP DO
  LET OBJ = PARSE JSON GET REQUEST BODY

  IF GET JSON PATH OBJ, "object" = "whatsapp_business_account" THEN
    FOR EACH ENTRY IN GET JSON PATH OBJ, "entry"
      FOR EACH CHANGE IN GET JSON PATH ENTRY, "changes"
        REM Status-only deliveries (sent, delivered, read, failed) carry no
        REM messages, so this loop runs zero times for them: no empty jobs.
        FOR EACH MESSAGE IN GET JSON PATH CHANGE, "value.messages"
          LET FROM$ = GET JSON PATH MESSAGE, "from"
          LET BODY$ = GET JSON PATH MESSAGE, "text.body"
          LET ID$ = GET JSON PATH MESSAGE, "id"
          IF BODY$ <> "" THEN
            LOG "WhatsApp message from " + FROM$ + ": " + BODY$
            SPAWN PROCESS WHATSAPP MESSAGE FROM$, BODY$, ID$
          END IF
        NEXT MESSAGE
      NEXT CHANGE
    NEXT ENTRY
  END IF

  PRINT "OK"
END ON

REM Meta's one-time GET handshake when you save the webhook in the dashboard.
ON WEBHOOK GET TO "/webhooks/whatsapp" DO
  LET TOKEN$ = GET ENV "META_VERIFY_TOKEN"
  LET MODE$ = GET QUERY VALUE "hub.mode"
  IF TOKEN$ <> "" AND MODE$ = "subscribe" AND GET QUERY VALUE "hub.verify_token" = TOKEN$ THEN
    SET RESPONSE HEADER "Content-Type" TO "text/plain; charset=utf-8"
    PRINT GET QUERY VALUE "hub.challenge"
  ELSE
    SET RESPONSE STATUS TO 403
    PRINT "Forbidden"
  END IF
END ON

REM Runs after the 200 went out; a transient Graph API error is retried.
SUB PROCESS WHATSAPP MESSAGE FROM$, BODY$, ID$
  LET RESPONSE$ = GENERATE RESPONSE BODY$
  SEND WHATSAPP TO FROM$ WITH RESPONSE$
END SUB
