' JSON values in string context are their JSON text; booleans print TRUE/FALSE.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{ ""a"" : [1, 2], ""s"": ""x"", ""t"": true, ""n"": 2.50 }"
  PRINT J; "|"; GET JSON PATH J, "a"; "|"; "pre:" + GET JSON PATH J, "a"; "|"
  PRINT GET JSON PATH J, "s"; "|"; GET JSON PATH J, "t"; "|"; GET JSON PATH J, "n"; "|"; 1 = 1; "|"; 1 = 2
END ON
