' SET RESPONSE HEADER with a name that is not an HTTP token (here a space)
' fails the run at the call.
ON WEBHOOK POST TO "/t" DO
  SET RESPONSE HEADER "Content Type" TO "text/plain"
  PRINT "never"
END ON
