REM Twilio voice verification: Meta calls your Twilio number and reads a
REM 6-digit code; these handlers capture the digits and mail them to you.
REM FROM TWILIO makes gbhook verify X-Twilio-Signature (TWILIO_AUTH_TOKEN)
REM before a single statement runs. Set NOTIFY_EMAIL to choose the recipient.

ON WEBHOOK POST TO "/twilio/voice" FROM TWILIO DO
  REM Where Twilio posts the digits: your public base URL when configured.
  LET BASE$ = GET ENV "GBHOOK_PUBLIC_URL"
  IF BASE$ = "" THEN BASE$ = "https://your-domain.com"
  LET EMAIL$ = NOTIFY ADDRESS

  LET TWIML$ = "<?xml version=""1.0"" encoding=""UTF-8""?>"
  TWIML$ = TWIML$ + "<Response>"
  TWIML$ = TWIML$ + "<Gather action=""" + XML ESCAPE(BASE$ + "/twilio/gather") + """ method=""POST"" numDigits=""6"">"
  TWIML$ = TWIML$ + "<Say voice=""alice"" language=""pt-BR"">"
  TWIML$ = TWIML$ + "Please enter your verification code followed by the pound sign."
  TWIML$ = TWIML$ + "</Say>"
  TWIML$ = TWIML$ + "</Gather>"
  TWIML$ = TWIML$ + "<Redirect>" + XML ESCAPE("https://twimlets.com/voicemail?Email=" + EMAIL$) + "</Redirect>"
  TWIML$ = TWIML$ + "</Response>"

  SET RESPONSE HEADER "Content-Type" TO "text/xml"
  PRINT TWIML$
END ON

ON WEBHOOK POST TO "/twilio/gather" FROM TWILIO DO
  LET CODE$ = GET FORM VALUE "Digits"
  LOG "WhatsApp Verification Code: " + CODE$

  IF CODE$ <> "" THEN
    SEND MAIL TO NOTIFY ADDRESS WITH SUBJECT "WhatsApp Verification Code" AND BODY "Your verification code is: " + CODE$
  END IF

  LET TWIML$ = "<?xml version=""1.0"" encoding=""UTF-8""?>"
  TWIML$ = TWIML$ + "<Response>"
  TWIML$ = TWIML$ + "<Say>Thank you. Your code has been received.</Say>"
  TWIML$ = TWIML$ + "</Response>"

  SET RESPONSE HEADER "Content-Type" TO "text/xml"
  PRINT TWIML$
END ON

REM The address verification codes go to.
FUNCTION NOTIFY ADDRESS
  LET EMAIL$ = GET ENV "NOTIFY_EMAIL"
  IF EMAIL$ = "" THEN EMAIL$ = "your-email@example.com"
  RETURN EMAIL$
END FUNCTION
