/**
 * The Angular demo: a zoneless standalone app (Angular's default since v21) with the Router, a
 * route whose resolver waits on HttpClient, and buttons that fail inside and outside Angular.
 * JIT-compiled in the browser so the demo needs no Angular CLI.
 */
import '@angular/compiler';
import { Component, inject, provideZonelessChangeDetection, signal } from '@angular/core';
import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { bootstrapApplication } from '@angular/platform-browser';
import { ActivatedRoute, provideRouter, Router, RouterLink, RouterOutlet, type Routes } from '@angular/router';
import { lookoutInterceptor, provideLookout } from '../../src/angular/index.js';

@Component({
  selector: 'demo-home',
  template: `<div class="card"><h2>Home</h2>
    <button id="throw-inside" (click)="throwInside()">Throw in a click handler</button>
    <button id="throw-outside" (click)="throwOutside()">Throw outside Angular</button>
    <button id="http-error" (click)="httpError()">Failing HttpClient request</button>
    <button id="go-user" (click)="goToUser()">Open user 42</button>
    <p>{{ status() }}</p></div>`,
})
class HomePage {
  readonly status = signal('');
  private readonly router = inject(Router);
  private readonly http = inject(HttpClient);

  throwInside(): void {
    const order = undefined as unknown as { total: number };
    this.status.set(String(order.total)); // TypeError → Angular's ErrorHandler
  }
  throwOutside(): void {
    setTimeout(() => {
      throw new RangeError('Demo: thrown outside Angular');
    });
  }
  httpError(): void {
    this.http.get('/demo/api/fail?token=secret').subscribe(); // no error callback: HttpErrorResponse escapes
  }
  goToUser(): void {
    this.router.navigateByUrl('/users/42');
  }
}

@Component({
  selector: 'demo-user',
  template: `<div class="card"><h2 id="user-name">{{ user.name }}</h2>
    <button id="throw-user" (click)="crash()">Crash this view</button></div>`,
})
class UserPage {
  readonly user = inject(ActivatedRoute).snapshot.data['user'] as { id: string; name: string };
  crash(): void {
    throw new Error(`Demo: user view crashed for ${this.user.id}`);
  }
}

@Component({
  selector: 'demo-app',
  imports: [RouterOutlet, RouterLink],
  template: `<nav><a routerLink="/">Home</a><a routerLink="/users/42">User 42</a><a routerLink="/users/7">User 7</a><a href="/demo/">All demos</a></nav>
    <router-outlet />`,
})
class DemoApp {}

const routes: Routes = [
  { path: '', component: HomePage },
  {
    path: 'users/:id',
    component: UserPage,
    resolve: { user: (route: { paramMap: { get(name: string): string | null } }) => inject(HttpClient).get(`/demo/api/users/${route.paramMap.get('id')}`) },
  },
  { path: '**', redirectTo: '' },
];

bootstrapApplication(DemoApp, {
  providers: [
    provideZonelessChangeDetection(),
    provideRouter(routes),
    provideHttpClient(withInterceptors([lookoutInterceptor])),
    // The page's script tag already started the agent; the integration uses that configuration.
    provideLookout(),
  ],
}).catch((error) => console.error('demo bootstrap failed', error));
