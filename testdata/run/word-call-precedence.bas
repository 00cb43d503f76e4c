' Word-call arguments stop before comparisons and logic; parenthesise to pass one.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{""object"": ""whatsapp_business_account"", ""n"": 2}"
  IF GET JSON PATH J, "object" = "whatsapp_business_account" THEN PRINT "yes;"
  IF GET JSON PATH J, "n" = 2 AND LEN("ab") = 2 THEN PRINT "both;"
  PRINT LEN(1 = 1); ";"; UCASE("a") = "A"
END ON
