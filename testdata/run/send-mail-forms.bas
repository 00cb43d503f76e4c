' SEND MAIL TO ... WITH SUBJECT ... AND BODY ... (AND ends the subject) and SEND MAIL a, s, b; SEND WHATSAPP TO ... WITH ...
ON WEBHOOK POST TO "/t" DO
  CODE$ = "4071"
  SEND MAIL TO "me@example.com" WITH SUBJECT "Code " + CODE$ AND BODY "Your code: " + CODE$
  SEND MAIL "you@example.com", "Plain", "Body " & 1 + 1
  SEND WHATSAPP TO "447700900123" WITH "Hi " + CODE$
  PRINT "sent"
END ON
