' Without a Content-Type set by the script, TwiML is sniffed as text/xml.
ON WEBHOOK POST TO "/t" DO
  PRINT "<?xml version=""1.0"" encoding=""UTF-8""?><Response><Say>Hi</Say></Response>"
END ON
