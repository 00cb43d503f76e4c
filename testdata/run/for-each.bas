' FOR EACH over an array (in order), an object (values in document order) and "" (no iterations).
ON WEBHOOK POST TO "/t" DO
  ARR = PARSE JSON "[3, ""b"", true, {""k"": 1}, [1,2]]"
  FOR EACH V IN ARR
    PRINT V; ";"
  NEXT V
  PRINT "|"
  OBJ = PARSE JSON "{""z"": 1, ""a"": ""two"", ""m"": null, ""b"": [3]}"
  FOR EACH V IN OBJ
    PRINT V; ";"
  NEXT
  PRINT "|"
  N = 0
  FOR EACH V IN GET JSON PATH OBJ, "missing"
    N = N + 1
  NEXT V
  FOR EACH V IN ""
    N = N + 1
  NEXT V
  PRINT N
END ON
