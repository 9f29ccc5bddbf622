/** What a template describes, in FC API terms, whatever file format it came from. */
export interface ProjectFunction {
  functionName: string;
  /** The createFunction/updateFunction body without `functionName` and `code`. */
  config: Record<string, unknown>;
  /** Absolute folder to zip, or undefined for a custom container. */
  codeDir?: string;
  triggers: {
    triggerName: string;
    triggerType: string;
    triggerConfig: Record<string, unknown>;
    qualifier?: string;
  }[];
  /** s.yaml actions of the entry that declares this function, in order. */
  actions?: ProjectAction[];
}

export interface ProjectService {
  serviceName: string;
  config: Record<string, unknown>;
  functions: ProjectFunction[];
  /**
   * `v3`: an FC 3.0 function (Serverless Devs 3.x `fc3`), deployed through the FC 3.0 API as the service of its
   * name holding the one function of that name (`config` then is FC 3.0's CreateFunction body).
   */
  fcVersion?: 'v3';
  /** An FC 3.0 function's custom domain (its routes name the function as service and function). */
  customDomains?: ProjectDomain[];
}

export interface ProjectDomain {
  domainName: string;
  protocol: string;
  routes: {
    path: string;
    serviceName: string;
    functionName: string;
    qualifier?: string;
    methods?: string[];
  }[];
}

export interface Project {
  file: string;
  services: ProjectService[];
  customDomains: ProjectDomain[];
}

/** A template problem, located: `template.yml:12:9: Resources.demo.fn.Properties.MemorySize: expected a number`. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** A Serverless Devs action (`actions: pre-deploy: - run: …, path: …`): a shell command run in `path`. */
export interface ProjectAction {
  hook: 'pre-deploy' | 'post-deploy';
  run: string;
  /** Absolute folder the command runs in. */
  path: string;
}
