REM WhatsApp replies that know the customer: the sender is looked up in your
REM CRM's HTTP API and the answer greets them by name.
REM Point Meta at /webhooks/whatsapp/crm (or copy the SUB into whatsapp.bas).
REM   CRM_API_URL    the API base, e.g. https://crm.example.com/api; it is called
REM                  as GET <CRM_API_URL>/customers?phone=<sender> and answers
REM                  JSON such as {"name": "Ana", "plan": "gold"}, or 404.
REM   CRM_API_TOKEN  optional bearer token sent with the lookup.
REM Without CRM_API_URL the lookup is skipped (a LOG line says so) and a plain
REM reply goes out, so the script runs on the embedded defaults.

ON WEBHOOK POST TO "/webhooks/whatsapp/crm" FROM WHATSAPP DO
  LET OBJ = PARSE JSON GET REQUEST BODY
  FOR EACH ENTRY IN GET JSON PATH OBJ, "entry"
    FOR EACH CHANGE IN GET JSON PATH ENTRY, "changes"
      FOR EACH MESSAGE IN GET JSON PATH CHANGE, "value.messages"
        IF GET JSON PATH MESSAGE, "type" = "text" THEN
          SPAWN CRM REPLY GET JSON PATH(MESSAGE, "from")
        END IF
      NEXT MESSAGE
    NEXT CHANGE
  NEXT ENTRY
  PRINT "OK"
END ON

REM Runs after the 200 went out. A network error, a timeout, a 429 or a 5xx
REM from the CRM fails the job as transient, and the queue retries it.
SUB CRM REPLY FROM$
  LET BASE$ = GET ENV "CRM_API_URL"
  IF BASE$ = "" THEN
    LOG "CRM_API_URL is unset: skipping the customer lookup for " + FROM$
    SEND WHATSAPP TO FROM$ WITH "Thanks for your message! We will get back to you soon."
    RETURN
  END IF
  LET TOKEN$ = GET ENV "CRM_API_TOKEN"
  IF TOKEN$ <> "" THEN SET HEADER "Authorization", "Bearer " + TOKEN$
  REM HTTP REQUEST never fails on a status, so a 404 (unknown number) is ours to handle.
  LET R = HTTP REQUEST "GET", BASE$ + "/customers?phone=" + URL ENCODE(FROM$), ""
  LET STATUS = GET JSON PATH R, "status"
  IF STATUS = 200 THEN
    LET NAME$ = GET JSON PATH R, "body.name"
    LET PLAN$ = GET JSON PATH R, "body.plan"
    LET TEXT$ = "Hi " + NAME$ + "! Thanks for your message."
    IF PLAN$ <> "" THEN TEXT$ = TEXT$ + " As a " + PLAN$ + " customer you will hear from us within the hour."
    SEND WHATSAPP TO FROM$ WITH TEXT$
  ELSEIF STATUS = 404 THEN
    SEND WHATSAPP TO FROM$ WITH "Thanks for your message! Reply with your e-mail address so that we can find your account."
  ELSE
    LOG "CRM lookup answered " + STATUS + "; sending a plain reply"
    SEND WHATSAPP TO FROM$ WITH "Thanks for your message! We will get back to you soon."
  END IF
END SUB
