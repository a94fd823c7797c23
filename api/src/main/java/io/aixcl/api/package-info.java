package io.aixcl.api;
