REM Meta WhatsApp Webhook Handler
ON WEBHOOK POST TO "/webhooks/whatsapp" DO
  REM Get the JSON payload
  LET PAYLOAD$ = GET REQUEST BODY
  
  REM Parse the JSON (requires JSON parser library)
  LET OBJ = PARSE JSON PAYLOAD$
  
  REM Check if this is a WhatsApp message
  IF GET JSON PATH OBJ, "object" = "whatsapp_business_account" THEN
    REM Get the message
    LET MESSAGE = GET JSON PATH OBJ, "entry[0].changes[0].value.messages[0]"
    
    REM Extract message details
    LET FROM$ = GET JSON PATH MESSAGE, "from"
    LET BODY$ = GET JSON PATH MESSAGE, "text.body"
    LET ID$ = GET JSON PATH MESSAGE, "id"
    
    REM Log the message
    LOG "WhatsApp message from " + FROM$ + ": " + BODY$
    
    REM Process the message asynchronously
    SPAWN PROCESS WHATSAPP MESSAGE FROM$, BODY$, ID$
  END IF
  
  REM Respond with 200 OK
  PRINT "OK"
  SET RESPONSE STATUS TO 200
END ON

REM Message processor
SUB PROCESS WHATSAPP MESSAGE FROM$, BODY$, ID$
  REM Generate a response
  LET RESPONSE$ = GENERATE RESPONSE BODY$
  
  REM Send the reply
  SEND WHATSAPP TO FROM$ WITH RESPONSE$
END SUB
