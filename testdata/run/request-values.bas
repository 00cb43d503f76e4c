' QUERY: a=1&b=x+y&b=2&c=%C3%A7
' GET QUERY VALUE, GET HEADER (any case), GET PATH VALUE ("" without :name), body, method, path.
ON WEBHOOK POST TO "/t" DO
  PRINT GET QUERY VALUE "a"; ","; GET QUERY VALUE "b"; ","; GET QUERY VALUE "c"; ",["; GET QUERY VALUE "A"; "];"
  PRINT GET HEADER "x-custom"; ","; GET HEADER "X-CUSTOM"; ",["; GET HEADER "X-Missing"; "];"
  PRINT "["; GET PATH VALUE "bot"; "];"
  PRINT GET REQUEST METHOD; " "; GET REQUEST PATH; " ["; GET REQUEST BODY; "]"
END ON
